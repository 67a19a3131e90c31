import { describe, expect, it } from "vitest";
import { startFakeTrigger, type FakeTrigger } from "@/fakes/trigger/server";
import { setDatabase } from "@/lib/db";
import { startTriggerDispatcher, triggerHost } from "@/lib/workflow/hosts/trigger";
import { cancelRun, completeWaitpoint, getRun, startRun } from "@/lib/workflow/runs";
import { requestUndo } from "@/lib/workflow/undo";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { testClock } from "../support/clock";
import { setTestEnv } from "../support/env";
import { testCatalog } from "../support/test-nodes";
import { describeScenarios } from "./scenarios";

// The scenario suite on the Trigger.dev host: runs are triggered as `workflow-runner` tasks
// through the real SDK against a local fake of the Trigger.dev API, which executes the task in
// @trigger.dev/core's mock task context. Then what only this host does: idempotent triggering,
// long waits and approval tokens through the API, cancel, re-dispatch, and a task that gives up.

let fake: FakeTrigger;
const scenarios = describeScenarios({
  async start(database) {
    fake = await startFakeTrigger({ clock: testClock });
    setTestEnv({ TRIGGER_SECRET_KEY: fake.secretKey, TRIGGER_API_URL: fake.url, LOG_LEVEL: "fatal" });
    // The task reaches the database the way it would on Trigger.dev: as the process database.
    setDatabase(database);
    await fake.load(() => import("../support/test-workflow-runner"));
  },
  async stop() {
    await fake.close();
    setTestEnv({ TRIGGER_SECRET_KEY: undefined, TRIGGER_API_URL: undefined });
  },
});

const db = () => scenarios.database().prisma;
const callsTo = (pattern: RegExp) => fake.calls.filter((call) => pattern.test(call.path));

describe("Trigger.dev host", () => {
  it("triggers one task run per workflow run, with an idempotency key, and records its id", async () => {
    const workflowId = await scenarios.published(definition([node("a")], ["trigger→a"]));
    const { run } = await startRun(db(), testCatalog, scenarios.owner(), workflowId, {});
    await scenarios.waitFor(run.id, ["succeeded"]);
    const row = await db().workflowRun.findUniqueOrThrow({ where: { id: run.id } });
    const triggered = callsTo(/^\/api\/v1\/tasks\/workflow-runner\/trigger$/).filter((call) => JSON.stringify(call.body).includes(run.id));
    expect(triggered).toHaveLength(1);
    expect(triggered[0]!.body).toMatchObject({ options: { idempotencyKey: expect.stringMatching(/^[0-9a-f]{64}$/), tags: [`run_${run.id}`] } });
    expect(row.externalRunId).toBe([...fake.runs.values()].find((task) => (task.payload as { runId: string }).runId === run.id)?.id);

    // Handing the same run over again is deduplicated by Trigger.dev: no second task run.
    const before = fake.runs.size;
    await triggerHost.enqueue(db(), [run.id]);
    expect(fake.runs.size).toBe(before);
    expect(fake.calls.at(-1)?.path).toBe("/api/v1/tasks/workflow-runner/trigger");
  });

  it("sleeps a long WAIT through wait.until on the platform, not in the process", async () => {
    const workflowId = await scenarios.published(
      definition([node("pause", "control.wait", { durationMs: 86_400_000 }), node("after")], ["trigger→pause", "pause→after"]),
    );
    const { run } = await startRun(db(), testCatalog, scenarios.owner(), workflowId, {});
    await scenarios.waitFor(run.id, ["waiting"]);
    const task = [...fake.runs.values()].find((t) => (t.payload as { runId: string }).runId === run.id)!;
    await expect.poll(() => task.status).toBe("WAITING");
    expect(callsTo(new RegExp(`^/engine/v1/runs/${task.id}/wait/duration$`))).toHaveLength(1);
    testClock.advance(86_400_000);
    await scenarios.waitFor(run.id, ["succeeded"]);
    expect(await scenarios.records(run.id)).toEqual(["after@#1:succeeded", "pause@#1:succeeded"]);
  });

  it("parks an approval on a waitpoint token that the approval endpoint completes", async () => {
    const workflowId = await scenarios.published(
      definition([node("ask", "control.approval", { message: "Ship?", timeoutMs: 60_000 }), node("ship")], ["trigger→ask", "ask:approved→ship"]),
    );
    const { run } = await startRun(db(), testCatalog, scenarios.owner(), workflowId, {});
    await scenarios.waitFor(run.id, ["waiting"]);
    const waitpointId = (await getRun(db(), scenarios.owner(), run.id)).waitpoints[0]!.id;
    await expect.poll(async () => (await db().waitpoint.findUniqueOrThrow({ where: { id: waitpointId } })).externalId).toMatch(/^waitpoint_/);
    const token = (await db().waitpoint.findUniqueOrThrow({ where: { id: waitpointId } })).externalId!;
    expect(callsTo(/^\/api\/v1\/waitpoints\/tokens$/).some((call) => (call.body as { tags?: string[] }).tags?.includes(`run_${run.id}`))).toBe(true);

    await completeWaitpoint(db(), { caller: scenarios.owner() }, waitpointId, { approved: true });
    expect(callsTo(new RegExp(`^/api/v1/waitpoints/tokens/${token}/complete$`))).toHaveLength(1);
    await scenarios.waitFor(run.id, ["succeeded"]);
    expect(await scenarios.records(run.id)).toEqual(["ask@#1:succeeded", "ship@#1:succeeded"]);
  });

  it("cancels the task run on the platform when the run is cancelled", async () => {
    const workflowId = await scenarios.published(definition([node("pause", "control.wait", { durationMs: 60_000 })], ["trigger→pause"]));
    const { run } = await startRun(db(), testCatalog, scenarios.owner(), workflowId, {});
    await scenarios.waitFor(run.id, ["waiting"]);
    const { externalRunId } = await db().workflowRun.findUniqueOrThrow({ where: { id: run.id } });
    await cancelRun(db(), scenarios.owner(), run.id);
    expect(callsTo(new RegExp(`^/api/v2/runs/${externalRunId}/cancel$`))).toHaveLength(1);
    expect(fake.runs.get(externalRunId!)?.status).toBe("CANCELED");
  });

  it("keeps a run queued while Trigger.dev is unreachable, and hands it over once it answers", async () => {
    const workflowId = await scenarios.published(definition([node("a")], ["trigger→a"]));
    setTestEnv({ TRIGGER_API_URL: "http://127.0.0.1:9" });
    const { run } = await startRun(db(), testCatalog, scenarios.owner(), workflowId, {});
    setTestEnv({ TRIGGER_API_URL: fake.url });
    const row = await db().workflowRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(row).toMatchObject({ status: "queued", externalRunId: null });
    const stop = startTriggerDispatcher(db(), { intervalMs: 50, graceMs: 0 });
    try {
      await scenarios.waitFor(run.id, ["succeeded"]);
    } finally {
      stop();
    }
  });

  it("fails the run when its task gives up, instead of leaving it running", async () => {
    const workflowId = await scenarios.published(definition([node("a")], ["trigger→a"]));
    // A run whose frozen definition cannot be loaded: every task attempt throws.
    const broken = await db().workflowRun.create({
      data: { companyId: scenarios.owner().companyId, workflowId, definition: { nodes: "not a list" }, triggerType: "manual", triggerPayload: {} },
    });
    await triggerHost.enqueue(db(), [broken.id]);
    const failed = await scenarios.waitFor(broken.id, ["failed"]);
    expect(failed.errorCode).toBe("E_INTERNAL");
    expect(fake.runs.get(failed.externalRunId!)).toMatchObject({ status: "FAILED", attempts: 3 });
  });

  it("undoes a run's effects in one run-undo task per request, triggered with an idempotency key", async () => {
    await db().app.upsert({ where: { id: "test" }, create: { id: "test", name: "Test" }, update: {} });
    const connection = await db().credential.create({
      data: { companyId: scenarios.owner().companyId, appId: "test", type: "apikey", keyId: "k1", ciphertext: "sealed", displayName: "undo on trigger" },
    });
    const workflowId = await scenarios.published(definition([node("a", "test.undoable", { key: "a" }, { connectionId: connection.id })], ["trigger→a"]));
    const { run } = await startRun(db(), testCatalog, scenarios.owner(), workflowId, {});
    await scenarios.waitFor(run.id, ["succeeded"]);
    await requestUndo(db(), testCatalog, scenarios.owner(), run.id);
    await expect.poll(async () => (await db().runUndo.findFirstOrThrow({ where: { runId: run.id } })).status).toBe("succeeded");
    expect((await db().runEffect.findFirstOrThrow({ where: { runId: run.id } })).status).toBe("undone");
    const undo = await db().runUndo.findFirstOrThrow({ where: { runId: run.id } });
    expect(undo).toMatchObject({ status: "succeeded", externalRunId: expect.stringMatching(/^run_/) });
    const triggered = callsTo(/^\/api\/v1\/tasks\/run-undo\/trigger$/).filter((call) => JSON.stringify(call.body).includes(undo.id));
    expect(triggered).toHaveLength(1);
    expect(triggered[0]!.body).toMatchObject({ options: { idempotencyKey: expect.stringMatching(/^[0-9a-f]{64}$/), tags: [`undo_${undo.id}`] } });
  });
});
