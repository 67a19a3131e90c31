import { describe, expect, it } from "vitest";
import { engineLimits } from "@/lib/workflow/engine/interpreter";
import { EmbeddedWorker } from "@/lib/workflow/hosts/embedded";
import { startRun } from "@/lib/workflow/runs";
import { createWorkflow, publishWorkflow } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { testClock } from "../support/clock";
import { openTestDatabase } from "../support/database";
import { seedCompany } from "../support/seed";
import { effects, gate, testCatalog } from "../support/test-nodes";
import { describeScenarios } from "./scenarios";

// The scenario suite on the embedded host, plus what only it has: several workers on one
// database, its wake-up timer, and shutdown.

let worker: EmbeddedWorker;
const scenarios = describeScenarios({
  async start(database) {
    worker = new EmbeddedWorker(database.prisma, { catalog: testCatalog, pollMs: 25, concurrency: 4, clock: testClock });
    await worker.start();
  },
  stop: () => worker.stop(),
});

describe("workers", () => {
  it("two workers racing for the same runs never execute a step twice", async () => {
    const second = new EmbeddedWorker(scenarios.database().prisma, { catalog: testCatalog, pollMs: 10, concurrency: 4, clock: testClock });
    await second.start();
    try {
      const keyPrefix = scenarios.unique("race");
      const workflowId = await scenarios.published(definition([node("act", "test.effect", { key: keyPrefix }), node("after")], ["trigger→act", "act→after"]));
      const ids = [];
      for (let i = 0; i < 20; i++) ids.push((await startRun(scenarios.database().prisma, testCatalog, scenarios.owner(), workflowId, {})).run.id);
      await Promise.all(ids.map((id) => scenarios.waitFor(id, ["succeeded"])));
      const effectRows = await scenarios.database().prisma.runEffect.findMany({ where: { runId: { in: ids } } });
      expect(effectRows).toHaveLength(20);
      for (const effect of effectRows) expect(effects.get(effect.idempotencyKey)).toBe(1);
      for (const id of ids) expect(await scenarios.records(id)).toEqual(["act@#1:succeeded", "after@#1:succeeded"]);
    } finally {
      await second.stop();
    }
  });
});

// Each of these has a database of its own: the scenario suite's worker must not take its runs.
async function alone(def: ReturnType<typeof definition>) {
  const database = await openTestDatabase();
  const { owner } = await seedCompany(database.prisma, "Alone");
  const workflow = await createWorkflow(database.prisma, testCatalog, owner, { name: "alone", definition: def });
  await publishWorkflow(database.prisma, testCatalog, owner, workflow.id);
  const waitFor = async (runId: string, statuses: string[]) => {
    await expect
      .poll(async () => (await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: runId } })).status, { timeout: 10_000, interval: 20 })
      .toSatisfy((s: string) => statuses.includes(s));
    return database.prisma.workflowRun.findUniqueOrThrow({ where: { id: runId } });
  };
  const records = async (runId: string) =>
    (await database.prisma.workflowRunStep.findMany({ where: { runId }, orderBy: { seq: "asc" } })).map(
      (s) => `${s.nodeId}#${s.attempt}:${s.status}${s.errorCode ? `(${s.errorCode})` : ""}`,
    );
  return { database, start: async (payload = {}) => (await startRun(database.prisma, testCatalog, owner, workflow.id, { payload })).run.id, waitFor, records };
}

describe("the embedded worker's clock and shutdown", () => {
  it("wakes at a parked run's wake-up however far beyond its poll interval it is", async () => {
    const { database, start, waitFor, records } = await alone(
      definition([node("pause", "control.wait", { durationMs: 2 * 3_600_000 }), node("after")], ["trigger→pause", "pause→after"]),
    );
    // Polls once an hour: only the wake-up timer can find the run in time.
    const sleepy = new EmbeddedWorker(database.prisma, { catalog: testCatalog, pollMs: 3_600_000, clock: testClock });
    await sleepy.start();
    try {
      const runId = await start();
      await waitFor(runId, ["waiting"]);
      testClock.advance(2 * 3_600_000);
      await waitFor(runId, ["succeeded"]);
      expect(await records(runId)).toEqual(["pause#1:succeeded", "after#1:succeeded"]);
    } finally {
      await sleepy.stop();
      await database.close();
    }
  });

  it("a shutdown mid-step interrupts the step without using its one attempt, and the run stays started", async () => {
    const key = `shutdown-${Date.now()}`;
    const { database, start, waitFor, records } = await alone(definition([node("slow", "test.gate", { key }), node("after")], ["trigger→slow", "slow→after"]));
    const first = new EmbeddedWorker(database.prisma, { catalog: testCatalog, pollMs: 25, clock: testClock });
    await first.start();
    try {
      const runId = await start();
      await gate(key).entered;
      await first.stop();
      const handedBack = await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: runId } });
      expect(handedBack).toMatchObject({ status: "waiting", leaseOwner: null });
      expect(handedBack.startedAt).not.toBeNull();
      expect(await records(runId)).toEqual(["slow#1:failed(E_INTERRUPTED)"]);
      gate(key).release();
      const next = new EmbeddedWorker(database.prisma, { catalog: testCatalog, pollMs: 25, clock: testClock });
      await next.start();
      try {
        await waitFor(runId, ["succeeded"]);
      } finally {
        await next.stop();
      }
      expect(await records(runId)).toEqual(["slow#1:failed(E_INTERRUPTED)", "slow#2:succeeded", "after#1:succeeded"]);
    } finally {
      await database.close();
    }
  });
});

describe("engine limits", () => {
  it("fails a run past its step cap with the engine's limit code, not a company-policy code", { timeout: 300_000 }, async () => {
    const cap = engineLimits.maxStepsPerRun;
    // The LOOP's own step plus one per item: the last item is step cap + 1.
    const { database, start } = await alone(
      definition([node("each", "control.loop", { items: "{{trigger.payload.items}}", maxIterations: cap }), node("body")], ["trigger→each", "each:body→body"]),
    );
    const worker = new EmbeddedWorker(database.prisma, { catalog: testCatalog, pollMs: 25, clock: testClock });
    await worker.start();
    try {
      const runId = await start({ items: Array.from({ length: cap }, (_, i) => i) });
      await expect
        .poll(async () => (await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: runId } })).status, { timeout: 240_000, interval: 200 })
        .toBe("failed");
      const run = await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: runId } });
      expect(run.errorCode).toBe("E_LIMIT_EXCEEDED");
      expect(run.errorMessage).toBe(`body: The run exceeded ${cap} steps`);
      expect(await database.prisma.workflowRunStep.count({ where: { runId, status: "succeeded", nodeId: "body" } })).toBe(cap - 1);
    } finally {
      await worker.stop();
      await database.close();
    }
  });
});
