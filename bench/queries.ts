import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Caller } from "@/lib/auth/roles";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { openServer } from "@/lib/db/open";
import { getRun, listRuns } from "@/lib/workflow/runs";
import { createServerDatabase } from "../tests/support/database";
import { seedCompany } from "../tests/support/seed";
import { chain, publishedWorkflow } from "./fixtures";
import { ms, summarize } from "./stats";

// The runs list and the run page with a million runs in the table (Postgres server): each filter
// of the list, its next page, and a run's page, timed through the same functions the API calls,
// and the plan Postgres chose for each (EXPLAIN ANALYZE of the SQL Prisma sent, captured from its
// query events), so a sequential scan or a sort of the whole company shows up here first.

const RUNS = 1_000_000;
const WORKFLOWS = 10;
const CALLS = 60;

type Target = { name: string; met: boolean };

/** A million runs of one company over ten workflows, two step records each, statuses as a busy account has them. */
async function fill(pool: pg.Pool, companyId: string, workflowIds: string[], versionIds: string[]) {
  for (let start = 0; start < RUNS; start += 100_000) {
    await pool.query(
      `INSERT INTO "WorkflowRun" (id, "companyId", "workflowId", "versionId", status, "triggerType", "triggerPayload", "createdAt", "startedAt", "finishedAt")
       SELECT 'bench_' || g, $1, ($2::text[])[1 + g % $4], ($3::text[])[1 + g % $4],
              (CASE WHEN g % 100 < 93 THEN 'succeeded' WHEN g % 100 < 97 THEN 'failed' WHEN g % 100 < 99 THEN 'waiting' ELSE 'cancelled' END)::"RunStatus",
              'manual', '{"n":1}'::jsonb, now() - g * interval '2 seconds', now() - g * interval '2 seconds', now() - g * interval '2 seconds' + interval '40 ms'
         FROM generate_series($5::int, $6::int) AS g`,
      [companyId, workflowIds, versionIds, WORKFLOWS, start, start + 99_999],
    );
    await pool.query(
      `INSERT INTO "WorkflowRunStep" (id, "runId", "nodeId", "iterationPath", attempt, seq, status, input, output, "startedAt", "finishedAt", "durationMs")
       SELECT 'bstep_' || g || '_' || s, 'bench_' || g, 's' || s, '', 1, s + 1, 'succeeded', '{"value":1}'::jsonb, '{"value":1}'::jsonb,
              now() - g * interval '2 seconds', now() - g * interval '2 seconds', 3
         FROM generate_series($1::int, $2::int) AS g, generate_series(0, 1) AS s`,
      [start, start + 99_999],
    );
  }
  await pool.query(`ANALYZE "WorkflowRun"; ANALYZE "WorkflowRunStep"`);
}

/** A plan on one line: its nodes outermost first, each with the index it uses, and the rows filters threw away. */
function planLine(lines: string[]): string {
  const nodes = lines
    .filter((line) => !/^\s*(Index Cond|Filter|Sort Key|Sort Method|Presorted Key|Full-sort|Heap Fetches|Rows Removed|InitPlan)/.test(line))
    .map((line) =>
      line
        .replace(/^\s*(->\s*)?/, "")
        .replace(/\s+\(cost=.*$/, "")
        .replace(/ on "(\w+)"( "?\w+"?)?/, " on $1"),
    );
  const removed = lines.flatMap((line) => line.match(/Rows Removed by Filter: (\d+)/)?.[1] ?? []).map(Number);
  return `${nodes.join(" → ")}${removed.length ? ` (rows filtered out: ${removed.reduce((a, b) => a + b, 0)})` : ""}`;
}

export async function benchQueries(): Promise<Target[]> {
  const server = await createServerDatabase().catch(() => null);
  if (!server) {
    console.log("[postgres] no server at FLOWLINE_TEST_PG_URL: runs list at 1,000,000 runs skipped");
    return [];
  }
  const database = await openServer(server.url);
  const pool = new pg.Pool({ connectionString: server.url, max: 2 });
  const sent: { query: string; params: string }[] = [];
  const logged = new PrismaClient({ adapter: new PrismaPg(pool), log: [{ emit: "event", level: "query" }] });
  logged.$on("query", (event) => sent.push({ query: event.query, params: event.params }));
  try {
    await database.migrate();
    const { owner } = await seedCompany(database.prisma, "Queries");
    const workflowIds: string[] = [];
    for (let i = 0; i < WORKFLOWS; i++) workflowIds.push(await publishedWorkflow({ ...database }, owner, chain(2)));
    const versions = await database.prisma.workflow.findMany({ where: { id: { in: workflowIds } }, select: { id: true, publishedVersionId: true } });
    const versionIds = workflowIds.map((id) => versions.find((v) => v.id === id)!.publishedVersionId!);
    const filling = performance.now();
    await fill(pool, owner.companyId, workflowIds, versionIds);
    console.log(
      `[postgres] runs list: ${RUNS.toLocaleString("en")} runs and ${(2 * RUNS).toLocaleString("en")} step records written in ${((performance.now() - filling) / 1000).toFixed(0)} s`,
    );

    const first = await listRuns(database.prisma, owner, { workflowId: workflowIds[3] });
    const day = new Date(Date.now() - 7 * 86_400_000);
    const filters: [string, Record<string, unknown>][] = [
      ["all runs", {}],
      ["one workflow", { workflowId: workflowIds[3] }],
      ["failed", { status: "failed" }],
      ["running (none)", { status: "running" }],
      ["one workflow, waiting", { workflowId: workflowIds[3], status: "waiting" }],
      ["a day a week ago", { from: day.toISOString(), to: new Date(day.getTime() + 86_400_000).toISOString() }],
      ["next page", { workflowId: workflowIds[3], cursor: first.nextCursor }],
    ];
    const results: Target[] = [];
    const report = async (label: string, call: (db: PrismaClient) => Promise<unknown>) => {
      for (let i = 0; i < 5; i++) await call(database.prisma);
      const times: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        const started = performance.now();
        await call(database.prisma);
        times.push(performance.now() - started);
      }
      const { median, p95 } = summarize(times);
      sent.length = 0;
      await call(logged);
      const plans: string[] = [];
      for (const { query, params } of sent) {
        const plan = await pool.query(`EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF, SUMMARY OFF) ${query}`, JSON.parse(params) as unknown[]);
        plans.push(planLine(plan.rows.map((r: Record<string, string>) => r["QUERY PLAN"]!)));
      }
      const met = p95 <= 50;
      console.log(
        `[postgres] ${label}: median ${ms(median)}, p95 ${ms(p95)} — target p95 ≤ 50 ms: ${met ? "met" : "NOT met"}\n    plans: ${plans.join("\n           ")}`,
      );
      results.push({ name: `runs list ${label}`, met });
    };
    for (const [label, filter] of filters) await report(`list, ${label}`, (db) => listRuns(db, owner as Caller, filter));
    const ids = Array.from({ length: CALLS }, (_, i) => `bench_${(i * 16_661) % RUNS}`);
    let next = 0;
    await report("run page", (db) => getRun(db, owner, ids[next++ % ids.length]!));
    return results;
  } finally {
    await logged.$disconnect();
    await pool.end();
    await database.close();
    await server.drop();
  }
}
