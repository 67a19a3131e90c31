import { catalog } from "@/lib/catalog";
import { createServerDatabase } from "../tests/support/database";
import { seedCompany } from "../tests/support/seed";
import { openEmbedded, openServer, type Database } from "@/lib/db/open";
import { setDatabase, closeDatabase } from "@/lib/db";
import { advanceRun } from "@/lib/workflow/engine/interpreter";
import { EmbeddedWorker, workerDefaults, type WorkerOptions } from "@/lib/workflow/hosts/embedded";
import { startRun } from "@/lib/workflow/runs";
import { definition, node } from "@/lib/workflow/test-fixtures";
import type { Caller } from "@/lib/auth/roles";
import { POST as startRunRoute } from "@/app/api/v1/workflows/[id]/runs/route";
import { chain, drainedRuns, publishedWorkflow } from "./fixtures";
import { benchHttpStarts } from "./http";
import { ms } from "./stats";

// Engine benchmarks, on the Postgres server (synchronous commit on, the server's default) and on
// the embedded PGlite. Each prints the figure, the floor (the same number of bare commits without
// the engine) and the ratio.

type Target = { name: string; met: boolean };

/** The worker as the app starts it (lib/server/boot.ts): settings by database, LISTEN on a server. */
const workerOptions = (database: Database & { url?: string }): WorkerOptions => ({ ...workerDefaults[database.kind], catalog, databaseUrl: database.url });

/** Bare single-row INSERT commits: what the engine's bookkeeping cannot go below. */
async function floorPerCommitMs(database: Database, commits: number): Promise<number> {
  await database.prisma.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS bench_floor (id serial PRIMARY KEY, run text, node text, output jsonb)`);
  const started = performance.now();
  for (let i = 0; i < commits; i++) {
    await database.prisma.$executeRaw`INSERT INTO bench_floor (run, node, output) VALUES (${"r"}, ${`s${i}`}, ${JSON.stringify({ value: i })}::jsonb)`;
  }
  return (performance.now() - started) / commits;
}

async function stepOverhead(label: string, database: Database, owner: Caller): Promise<Target> {
  const STEPS = 50;
  const RUNS = 20;
  const workflowId = await publishedWorkflow(database, owner, chain(STEPS));
  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++) runIds.push((await startRun(database.prisma, catalog, owner, workflowId, {})).run.id);
  // claimed directly (no worker), so only the interpreter is measured
  await database.prisma.workflowRun.updateMany({ where: { id: { in: runIds } }, data: { status: "running", startedAt: new Date() } });
  await advanceRun(database.prisma, runIds[0]!, { catalog }); // warm-up
  const started = performance.now();
  for (const id of runIds.slice(1)) await advanceRun(database.prisma, id, { catalog });
  const perStep = (performance.now() - started) / ((RUNS - 1) * STEPS);
  const floor = await floorPerCommitMs(database, (RUNS - 1) * STEPS);
  const ratio = perStep / floor;
  const met = perStep <= 1 && ratio <= 4;
  console.log(
    `[${label}] no-op step: ${ms(perStep)} per step (floor: ${ms(floor)} per bare commit, ratio ${ratio.toFixed(2)}×) — target ≤ 1 ms and ≤ 4× floor: ${met ? "met" : "NOT met"}`,
  );
  return { name: `${label} step overhead`, met };
}

async function startThroughput(label: string, database: Database, owner: Caller, key: string): Promise<Target> {
  const CLIENTS = 16;
  const TOTAL = 2000;
  const workflowId = await publishedWorkflow(database, owner, chain(2));
  const worker = new EmbeddedWorker(database.prisma, workerOptions(database));
  await worker.start();
  let next = 0;
  const ids: string[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < TOTAL) {
        next++;
        // the route handler, resolved once as a running server has it (tests' callRoute looks it up on disk per call)
        const request = new Request(`http://app.test/api/v1/workflows/${workflowId}/runs`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body: JSON.stringify({ payload: { n: next } }),
        });
        const response = await startRunRoute(request, { params: Promise.resolve({ id: workflowId }) });
        if (response.status !== 202) throw new Error(`start answered ${response.status}`);
        ids.push(((await response.json()) as { run: { id: string } }).run.id);
      }
    }),
  );
  const perSecond = TOTAL / ((performance.now() - started) / 1000);
  const { drained, latency } = await drainedRuns(database, ids, started);
  await worker.stop();
  const met = perSecond >= 1000 && latency.p99 <= 50;
  console.log(
    `[${label}] two-step runs started through the API route handler (in-process, no HTTP), ${CLIENTS} concurrent clients: ${perSecond.toFixed(0)} starts/s; all ${TOTAL} finished in ${drained.toFixed(1)} s (${(TOTAL / drained).toFixed(0)} runs/s end to end); start-to-first-step median ${ms(latency.median)}, p99 ${ms(latency.p99)} — target ≥ 1000/s and p99 ≤ 50 ms: ${met ? "met" : "NOT met"}`,
  );
  return { name: `${label} start throughput`, met };
}

async function parkedRuns(label: string, database: Database, owner: Caller, count: number): Promise<Target> {
  const workflowId = await publishedWorkflow(
    database,
    owner,
    definition([node("pause", "control.wait", { durationMs: 1 }), node("after")], ["trigger→pause", "pause→after"]),
  );
  const version = await database.prisma.workflow.findUniqueOrThrow({ where: { id: workflowId }, select: { publishedVersionId: true } });
  // parked directly in the state a WAIT leaves them in, so creating them is not what is measured;
  // parked far ahead first, then all made due 8 s from now (creating them can take longer than that)
  const parkedAt = new Date(Date.now() + 3_600_000);
  for (let offset = 0; offset < count; offset += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - offset) }, (_, i) => `park_${Date.now()}_${offset + i}`);
    await database.prisma.workflowRun.createMany({
      data: batch.map((id) => ({
        id,
        companyId: owner.companyId,
        workflowId,
        versionId: version.publishedVersionId,
        status: "waiting" as const,
        wakeAt: parkedAt,
        triggerType: "bench",
        triggerPayload: {},
        startedAt: new Date(),
      })),
    });
    await database.prisma.workflowRunStep.createMany({
      data: batch.map((id) => ({ runId: id, nodeId: "pause", status: "waiting" as const, input: { wakeAt: parkedAt.toISOString() } })),
    });
  }
  const dueAt = new Date(Date.now() + 8000);
  await database.prisma.workflowRun.updateMany({ where: { workflowId }, data: { wakeAt: dueAt } });
  await database.prisma
    .$executeRaw`UPDATE "WorkflowRunStep" AS s SET input = ${JSON.stringify({ wakeAt: dueAt.toISOString() })}::jsonb FROM "WorkflowRun" AS r WHERE s."runId" = r.id AND r."workflowId" = ${workflowId}`;
  const worker = new EmbeddedWorker(database.prisma, workerOptions(database));
  await worker.start();
  const cpuBefore = process.cpuUsage();
  const idleStarted = performance.now();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt.getTime() - Date.now() - 1000)));
  const idle = process.cpuUsage(cpuBefore);
  const idleCpuPercent = ((idle.user + idle.system) / 1000 / (performance.now() - idleStarted)) * 100;
  for (;;) {
    const open = await database.prisma.workflowRun.count({ where: { workflowId, status: { not: "succeeded" } } });
    if (open === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const lateBy = (Date.now() - dueAt.getTime()) / 1000;
  await worker.stop();
  const met = lateBy <= 10 && idleCpuPercent < 5;
  console.log(
    `[${label}] ${count} parked runs: ${idleCpuPercent.toFixed(1)}% of one core while parked (worker polling); all resumed and finished ${lateBy.toFixed(1)} s after due — target no CPU and ≤ 10 s: ${met ? "met" : "NOT met"}`,
  );
  return { name: `${label} parked runs`, met };
}

/** Due → resumed for WAITs of 1.5 s with the worker's own settings: its wake-up timer, not its polling. */
async function waitWakeUps(label: string, database: Database, owner: Caller): Promise<Target> {
  const RUNS = 40;
  const workflowId = await publishedWorkflow(
    database,
    owner,
    definition([node("pause", "control.wait", { durationMs: 1500 }), node("after")], ["trigger→pause", "pause→after"]),
  );
  const worker = new EmbeddedWorker(database.prisma, workerOptions(database));
  await worker.start();
  const ids: string[] = [];
  // staggered, so wake-ups fall at every phase of the poll interval
  for (let i = 0; i < RUNS; i++) {
    ids.push((await startRun(database.prisma, catalog, owner, workflowId, {})).run.id);
    await new Promise((resolve) => setTimeout(resolve, 37));
  }
  while ((await database.prisma.workflowRun.count({ where: { id: { in: ids }, status: { notIn: ["succeeded", "failed"] } } })) > 0)
    await new Promise((resolve) => setTimeout(resolve, 100));
  await worker.stop();
  const waits = await database.prisma.workflowRunStep.findMany({ where: { runId: { in: ids }, nodeId: "pause", status: "succeeded" } });
  const late = waits
    .map((s) => Date.parse((s.output as { resumedAt: string }).resumedAt) - Date.parse((s.input as { wakeAt: string }).wakeAt))
    .sort((a, b) => a - b);
  const p = (q: number) => late[Math.min(late.length - 1, Math.floor(q * late.length))]!;
  const met = late.length === RUNS && p(0.99) <= 50;
  console.log(
    `[${label}] 1.5 s waits, due → resumed: p50 ${ms(p(0.5))}, p99 ${ms(p(0.99))}, max ${ms(late.at(-1)!)} over ${late.length} runs — target p99 ≤ 50 ms: ${met ? "met" : "NOT met"}`,
  );
  return { name: `${label} wait wake-up`, met };
}

export type EngineBenchOptions = {
  /** Whether a benchmark (by its name, e.g. "no-op step") is to run. */
  wanted: (name: string) => boolean;
  databases: string[];
};

async function onDatabase(label: string, database: Database, parked: number, wanted: EngineBenchOptions["wanted"]): Promise<Target[]> {
  setDatabase(database);
  const { owner, key } = await seedCompany(database.prisma, "Bench");
  const results: Target[] = [];
  if (wanted("no-op step")) results.push(await stepOverhead(label, database, owner));
  if (wanted("start throughput")) results.push(await startThroughput(label, database, owner, key));
  if (wanted("parked runs")) results.push(await parkedRuns(label, database, owner, parked));
  if (wanted("wait wake-up")) results.push(await waitWakeUps(label, database, owner));
  // Over real HTTP the app owns the database, so only a server database can be shared with the bench.
  if ((wanted("http starts") || wanted("app memory")) && "url" in database && typeof database.url === "string")
    results.push(
      ...(await benchHttpStarts(
        label,
        database as Database & { url: string },
        owner,
        key,
        wanted("app memory") ? Number(process.env.FLOWLINE_BENCH_MEMORY_RUNS ?? 100_000) : 0,
      )),
    );
  await closeDatabase();
  return results;
}

export async function benchEngine({ wanted, databases }: EngineBenchOptions): Promise<Target[]> {
  const results: Target[] = [];
  if (!["no-op step", "start throughput", "parked runs", "wait wake-up", "http starts", "app memory"].some(wanted)) return results;
  const server = databases.includes("postgres") ? await createServerDatabase().catch(() => null) : null;
  if (server) {
    const database = { ...(await openServer(server.url)), url: server.url };
    await database.migrate();
    results.push(...(await onDatabase("postgres", database, 10_000, wanted)));
    await server.drop();
  } else if (databases.includes("postgres")) {
    console.log("[postgres] no server at FLOWLINE_TEST_PG_URL: skipped");
  }
  // PGlite has one session: fewer parked runs keep the run short; the figures are per run anyway.
  if (databases.includes("pglite")) results.push(...(await onDatabase("pglite", await openEmbedded({ memory: true }), 2_000, wanted)));
  return results;
}
