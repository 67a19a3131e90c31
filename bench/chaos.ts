// `npx tsx bench/chaos.ts [runs]`: the crash run of issue 10, defect 3. Runs of Slack → WAIT →
// Slack (against fakes/slack, each post delayed 150 ms so kills land mid-call) on a Postgres
// server, executed by two worker processes that are SIGKILLed at random moments, again and
// again, then drained by one left alone. Prints how the runs ended, and for every run failed
// with E_EFFECT_UNKNOWN whether its message was in fact delivered (the target: none that was not).
import { spawn, type ChildProcess } from "node:child_process";
import { WebClient } from "@slack/web-api";
import { catalog } from "@/lib/catalog";
import { openServer } from "@/lib/db/open";
import { stepIdempotencyKey } from "@/lib/workflow/engine/interpreter";
import { startRun } from "@/lib/workflow/runs";
import { createWorkflow, publishWorkflow } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { connectSlack, startSlackForTests } from "../tests/integrations/support";
import { createServerDatabase } from "../tests/support/database";
import { seedCompany } from "../tests/support/seed";

const RUNS = Number(process.argv[2] ?? 300);
const server = await createServerDatabase();
const database = await openServer(server.url);
await database.migrate();
const fake = await startSlackForTests({ logLevel: "fatal" });
fake.fail("chat.postMessage", { type: "delay", ms: 150 }, 1_000_000);
const { owner } = await seedCompany(database.prisma, "Chaos");
const token = fake.issueBotToken();
await connectSlack(database.prisma, { companyId: owner.companyId }, token);
const def = definition(
  [
    node("first", "slack.send_message", { channel: "C0GENERAL", text: "first of {{run.id}}" }),
    node("pause", "control.wait", { durationMs: 300 }),
    node("second", "slack.send_message", { channel: "C0GENERAL", text: "second of {{run.id}}" }),
  ],
  ["trigger→first", "first→pause", "pause→second"],
);
const workflow = await createWorkflow(database.prisma, catalog, owner, { name: "Chaos", definition: def });
await publishWorkflow(database.prisma, catalog, owner, workflow.id);
const ids: string[] = [];
for (let i = 0; i < RUNS; i++) ids.push((await startRun(database.prisma, catalog, owner, workflow.id, {})).run.id);

const spawnWorker = () =>
  new Promise<ChildProcess>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/chaos-worker.ts", server.url], {
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, LOG_LEVEL: "fatal" },
    });
    child.stdout!.once("data", () => resolve(child));
  });
const open = () => database.prisma.workflowRun.count({ where: { id: { in: ids }, status: { notIn: ["succeeded", "failed", "cancelled"] } } });

let kills = 0;
const started = Date.now();
while ((await open()) > 0 && Date.now() - started < 240_000) {
  const workers = [await spawnWorker(), await spawnWorker()];
  await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1200));
  for (const worker of workers) worker.kill("SIGKILL");
  kills += workers.length;
}
const drainer = await spawnWorker();
while ((await open()) > 0) await new Promise((resolve) => setTimeout(resolve, 200));
drainer.kill("SIGKILL");

// What Slack really holds: every message with the step key in its metadata.
const history = await new WebClient(token, { slackApiUrl: fake.apiUrl }).conversations.history({
  channel: "C0GENERAL",
  include_all_metadata: true,
  limit: 1000,
});
const delivered = new Map<string, number>();
for (const message of history.messages ?? []) {
  const key = (message.metadata?.event_payload as { idempotency_key?: string } | undefined)?.idempotency_key;
  if (key) delivered.set(key, (delivered.get(key) ?? 0) + 1);
}
const runs = await database.prisma.workflowRun.findMany({ where: { id: { in: ids } }, include: { steps: true } });
const byStatus = new Map<string, number>();
for (const run of runs)
  byStatus.set(`${run.status}${run.errorCode ? ` ${run.errorCode}` : ""}`, (byStatus.get(`${run.status}${run.errorCode ? ` ${run.errorCode}` : ""}`) ?? 0) + 1);
let unknownNeverHappened = 0;
let unknownHappened = 0;
for (const run of runs.filter((r) => r.errorCode === "E_EFFECT_UNKNOWN")) {
  const failed = run.steps.find((s) => s.errorCode === "E_EFFECT_UNKNOWN")!;
  if (delivered.has(stepIdempotencyKey(run.id, failed.nodeId, failed.iterationPath))) unknownHappened++;
  else unknownNeverHappened++;
}
const succeededWithMessages = runs.filter(
  (r) => r.status === "succeeded" && ["first", "second"].every((n) => delivered.has(stepIdempotencyKey(r.id, n, ""))),
).length;
const interrupted = runs.reduce((sum, r) => sum + r.steps.filter((s) => s.errorCode === "E_INTERRUPTED").length, 0);
console.log(`chaos: ${RUNS} runs, ${kills} SIGKILLs in ${((Date.now() - started) / 1000).toFixed(0)} s; attempts cut short: ${interrupted}`);
console.log(`  runs by end: ${[...byStatus].map(([k, v]) => `${k}: ${v}`).join(", ")}`);
console.log(`  E_EFFECT_UNKNOWN whose message was never delivered: ${unknownNeverHappened} (target 0); whose message was delivered: ${unknownHappened}`);
console.log(
  `  succeeded runs with both messages in Slack: ${succeededWithMessages}; messages posted twice: ${[...delivered.values()].filter((n) => n > 1).length}`,
);
await database.close();
await fake.close();
await server.drop();
process.exit(0);
