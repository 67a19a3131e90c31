import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog } from "@/lib/catalog";
import { createWorkflow, publishWorkflow, setWorkflowEnabled } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { entryPoint } from "../support/entry-points";
import { seedCompany } from "../support/seed";

// Two `npm run worker` processes on one Postgres server both fire every schedule (each runs a
// Scheduler): every tick still starts exactly one run. Several processes need the server, so this
// file (*.pg.test.ts) runs in the Postgres pass only. The schedule ticks every second (six
// fields), so a few real seconds give several ticks that both processes raced for.

let database: TestDatabase;
let owner: Awaited<ReturnType<typeof seedCompany>>["owner"];
const workers: ChildProcess[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  ({ owner } = await seedCompany(database.prisma, "Two workers"));
}, 60_000);
afterAll(async () => {
  for (const worker of workers) worker.kill("SIGKILL");
  await database.close();
});

function spawnWorker(): ChildProcess {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "flowline-sched-"));
  const child = spawn(process.execPath, entryPoint("cli/worker.ts"), {
    env: { ...process.env, DATABASE_URL: database.url!, FLOWLINE_DATA_DIR: dataDir, LOG_LEVEL: "warn", TRIGGER_SECRET_KEY: "" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  workers.push(child);
  return child;
}

describe("schedules across processes", () => {
  it("two worker processes start one run per tick", async () => {
    const def = { ...definition([node("a")], ["trigger→a"]), trigger: { type: "schedule", config: { cron: "* * * * * *", timezone: "UTC" } } };
    const workflow = await createWorkflow(database.prisma, catalog, owner, { name: "Every second", definition: def });
    await publishWorkflow(database.prisma, catalog, owner, workflow.id);
    spawnWorker();
    spawnWorker();
    // both are up (each keeps a heartbeat row) before the schedule is switched on
    await expect.poll(() => database.prisma.workerHeartbeat.count(), { timeout: 60_000, interval: 200 }).toBe(2);
    await setWorkflowEnabled(database.prisma, catalog, owner, workflow.id, true);

    const ticks = () => database.prisma.inboundEvent.count({ where: { workflowId: workflow.id, source: "schedule" } });
    await expect.poll(ticks, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(4);
    await setWorkflowEnabled(database.prisma, catalog, owner, workflow.id, false);
    for (const worker of workers) worker.kill("SIGTERM");
    await Promise.all(workers.map((worker) => new Promise((resolve) => (worker.exitCode !== null ? resolve(null) : worker.once("exit", resolve)))));

    const events = await database.prisma.inboundEvent.findMany({ where: { workflowId: workflow.id, source: "schedule" } });
    const runs = await database.prisma.workflowRun.findMany({ where: { workflowId: workflow.id } });
    const scheduledAt = runs.map((run) => (run.triggerPayload as { scheduledAt: string }).scheduledAt);
    expect(new Set(scheduledAt).size).toBe(runs.length);
    expect(runs.length).toBe(events.length);
    expect(events.every((event) => event.matchedRunIds.length === 1)).toBe(true);
    expect(runs.every((run) => run.status === "succeeded" || run.status === "queued")).toBe(true);
  }, 120_000);
});
