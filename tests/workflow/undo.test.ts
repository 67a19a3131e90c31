import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { runAsCaller } from "@/lib/auth/session";
import { closeDatabase, setDatabase } from "@/lib/db";
import { EmbeddedWorker } from "@/lib/workflow/hosts/embedded";
import { createWorkflow, publishWorkflow } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import type { FakeSlack } from "@/fakes/slack/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, jsonOf } from "../support/routes";
import { seedCompany } from "../support/seed";
import { connectSlack, startSlackForTests } from "../integrations/support";
import { testCatalog } from "../support/test-nodes";
import { testClock } from "../support/clock";

// Undoing a run's effects through the API: the route handlers, the embedded worker, the real
// Slack WebClient against the fake Slack (whose faults make an undo fail), the database.

let database: TestDatabase;
let owner: Caller;
let member: Caller;
let key: string;
let fake: FakeSlack;
let worker: EmbeddedWorker;
let connectionId: string;
beforeAll(async () => {
  fake = await startSlackForTests({ logLevel: "fatal" });
  database = await openTestDatabase();
  setDatabase(database);
  const seeded = await seedCompany(database.prisma, "Undoer");
  ({ owner, key } = seeded);
  member = { companyId: owner.companyId, userId: seeded.ids.memberUserId, role: "member", apiKeyId: null };
  connectionId = (await connectSlack(database.prisma, { companyId: owner.companyId }, fake.issueBotToken())).id;
  worker = new EmbeddedWorker(database.prisma, { catalog: testCatalog, pollMs: 25, undoPollMs: 50, clock: testClock });
  await worker.start();
}, 60_000);
afterAll(async () => {
  await worker.stop();
  await closeDatabase();
  await fake.close();
});

const body = jsonOf;

const twoMessages = definition(
  [
    node("post", "slack.send_message", { channel: "#general", text: "Invoice {{trigger.payload.number}} is out" }),
    node("reply", "slack.reply_in_thread", { channel: "C0GENERAL", threadTs: "{{step.post.output.ts}}", text: "Paid" }),
  ],
  ["trigger→post", "post→reply"],
);

async function finishedRun(def = twoMessages) {
  const workflow = await createWorkflow(database.prisma, testCatalog, owner, { name: `undo ${Date.now()}`, definition: def });
  await publishWorkflow(database.prisma, testCatalog, owner, workflow.id);
  const { run } = await body(await callRoute("POST", `/api/v1/workflows/${workflow.id}/runs`, { key, body: { payload: { number: 12 } } }));
  for (let i = 0; i < 500; i++) {
    const current = await body(await callRoute("GET", `/api/v1/runs/${run.id}`, { key }));
    if (["succeeded", "failed", "cancelled"].includes(current.status)) return current;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("run did not finish");
}

async function settled(runId: string) {
  for (let i = 0; i < 500; i++) {
    const preview = await body(await callRoute("GET", `/api/v1/runs/${runId}/undo`, { key }));
    if (preview.request && ["succeeded", "failed"].includes(preview.request.status)) return preview;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the undo of ${runId} did not finish`);
}

describe("undo of a run's effects", () => {
  it("previews each effect in words, undoes them newest first through their connection, records who did it, and a second undo does nothing", async () => {
    fake.reset();
    const run = await finishedRun();
    expect(run.status).toBe("succeeded");
    const [postTs, replyTs] = [...fake.messages.values()].map((m) => m.ts);

    const preview = await callRoute("GET", `/api/v1/runs/${run.id}/undo`, { key });
    expect(preview.status).toBe(200);
    expect(await body(preview)).toMatchObject({
      runId: run.id,
      runStatus: "succeeded",
      canUndo: true,
      reason: null,
      request: null,
      effects: [
        { nodeId: "reply", action: "slack.reply_in_thread", state: "to_undo", strategy: "api_delete", description: "Delete the Slack message in C0GENERAL" },
        {
          nodeId: "post",
          action: "slack.send_message",
          state: "to_undo",
          description: "Delete the Slack message in #general",
          externalRef: `C0GENERAL:${postTs}`,
        },
      ],
    });

    const asked = await callRoute("POST", `/api/v1/runs/${run.id}/undo`, { key });
    expect(asked.status).toBe(202);
    expect((await body(asked)).queued).toBe(true);
    const done = await settled(run.id);
    expect(done.request).toMatchObject({ status: "succeeded", requestedBy: "API key Undoer key" });
    expect(done.effects.map((e: { state: string; undoneBy: string }) => [e.state, e.undoneBy])).toEqual([
      ["undone", "API key Undoer key"],
      ["undone", "API key Undoer key"],
    ]);
    expect(done.effects.every((e: { undoneAt: string | null }) => e.undoneAt !== null)).toBe(true);
    // Newest first, each through the connection that posted it (the fake checks the bot token).
    expect(fake.callsTo("chat.delete").map((call) => call.params.ts)).toEqual([replyTs, postTs]);
    expect(fake.messages.size).toBe(0);
    const effects = await database.prisma.runEffect.findMany({ where: { runId: run.id } });
    expect(effects.every((e) => e.status === "undone" && e.credentialId === connectionId)).toBe(true);

    const again = await callRoute("POST", `/api/v1/runs/${run.id}/undo`, { key });
    expect(again.status).toBe(202);
    expect((await body(again)).queued).toBe(false);
    expect(fake.callsTo("chat.delete")).toHaveLength(2);

    const audit = await body(await callRoute("GET", `/api/v1/audit?action=run.&targetId=${run.id}`, { key }));
    expect(audit.entries.map((e: { action: string; summary: string }) => [e.action, e.summary])).toEqual([
      ["run.undone", "2 undone, 0 failed"],
      ["run.undo_requested", "Undo of 2 effect(s) queued"],
    ]);
    const undoneEntries = await database.prisma.auditLog.findMany({ where: { action: "run.undone", targetId: run.id } });
    expect(undoneEntries.map((e) => e.metadata)).toEqual([expect.objectContaining({ undone: 2, failed: 0 })]);
  });

  it("reports a failing undo on its effect with the remediation, and retries only what failed", async () => {
    fake.reset();
    const run = await finishedRun();
    fake.fail("chat.delete", { type: "error", error: "not_in_channel" });
    await callRoute("POST", `/api/v1/runs/${run.id}/undo`, { key });
    const failed = await settled(run.id);
    expect(failed.request.status).toBe("failed");
    const [reply, post] = failed.effects;
    expect(reply).toMatchObject({ state: "failed", error: { code: "E_NOT_FOUND", remediation: expect.stringContaining("Invite the Slack app") } });
    expect(post).toMatchObject({ state: "undone", error: null });
    expect(fake.messages.size).toBe(1);

    expect((await body(await callRoute("POST", `/api/v1/runs/${run.id}/undo`, { key }))).queued).toBe(true);
    const retried = await settled(run.id);
    expect(retried.request.status).toBe("succeeded");
    expect(retried.effects.map((e: { state: string }) => e.state)).toEqual(["undone", "undone"]);
    expect(fake.messages.size).toBe(0);
    // The post was not deleted twice: the retry only asked for the reply.
    expect(fake.callsTo("chat.delete")).toHaveLength(3);
  });

  it("waits out Slack's rate limit durably, then goes on where it stopped", async () => {
    fake.reset();
    const run = await finishedRun();
    fake.fail("chat.delete", { type: "ratelimit", retryAfter: 600 });
    await callRoute("POST", `/api/v1/runs/${run.id}/undo`, { key });
    await expect.poll(async () => (await database.prisma.runUndo.findFirstOrThrow({ where: { runId: run.id } })).wakeAt, { timeout: 15_000 }).not.toBeNull();
    const parked = await body(await callRoute("GET", `/api/v1/runs/${run.id}/undo`, { key }));
    expect(parked.request.status).toBe("queued");
    expect(parked.effects[0]).toMatchObject({
      state: "failed",
      error: { code: "E_RATE_LIMITED", remediation: expect.stringMatching(/^Flowline tries again at /) },
    });
    expect(fake.callsTo("chat.delete")).toHaveLength(1);

    // Ten minutes later by the host's clock, the worker takes it back.
    testClock.advance(600_000);
    const done = await settled(run.id);
    expect(done.request.status).toBe("succeeded");
    expect(done.effects.map((e: { state: string }) => e.state)).toEqual(["undone", "undone"]);
    expect(fake.callsTo("chat.delete")).toHaveLength(3);
  });

  it("resumes an undo whose worker died, skipping what it had undone", async () => {
    fake.reset();
    const run = await finishedRun();
    const effects = await database.prisma.runEffect.findMany({ where: { runId: run.id }, orderBy: { createdAt: "desc" } });
    const [reply, post] = effects;
    // The dead worker had deleted the reply and recorded it, then died holding the request.
    const [channel, ts] = reply!.externalRef!.split(":");
    fake.messages.delete(`${channel}:${ts}`);
    const undo = await database.prisma.runUndo.create({
      data: {
        companyId: owner.companyId,
        runId: run.id,
        requestedBy: "ana@undoer.test",
        status: "running",
        leaseOwner: "dead-worker",
        leaseExpiresAt: new Date(Date.now() - 1000),
      },
    });
    await database.prisma.runEffect.update({ where: { id: reply!.id }, data: { status: "undone", undoneAt: new Date(), undoId: undo.id } });
    const done = await settled(run.id);
    expect(done.request).toMatchObject({ id: undo.id, status: "succeeded" });
    expect(fake.callsTo("chat.delete").map((call) => call.params.ts)).toEqual([post!.externalRef!.split(":")[1]]);
    expect(done.effects.map((e: { undoneBy: string }) => e.undoneBy)).toEqual(["ana@undoer.test", "ana@undoer.test"]);
  });

  it("shows what must be undone by hand, with its reference, and queues nothing for it", async () => {
    const run = await finishedRun(definition([node("noop", "core.noop", { value: 1 })], ["trigger→noop"]));
    await database.prisma.app.upsert({ where: { id: "resend" }, create: { id: "resend", name: "Resend" }, update: {} });
    const step = await database.prisma.workflowRunStep.create({
      data: {
        runId: run.id,
        nodeId: "mail",
        status: "succeeded",
        output: { id: "em_1", from: "a@b.test", to: ["cliente@example.it"], subject: "Fattura 12", sentWith: "connection", attachments: [] },
      },
    });
    await database.prisma.runEffect.create({
      data: {
        runId: run.id,
        stepId: step.id,
        nodeId: "mail",
        appId: "resend",
        action: "resend.send_email",
        idempotencyKey: `manual-${run.id}`,
        status: "completed",
        externalRef: "em_1",
        undoStrategy: "manual",
        canUndo: false,
      },
    });
    const preview = await body(await callRoute("GET", `/api/v1/runs/${run.id}/undo`, { key }));
    expect(preview.effects).toEqual([
      expect.objectContaining({
        state: "manual",
        strategy: "manual",
        externalRef: "em_1",
        description: 'An email cannot be unsent: write to cliente@example.it about "Fattura 12"',
      }),
    ]);
    expect((await body(await callRoute("POST", `/api/v1/runs/${run.id}/undo`, { key }))).queued).toBe(false);
  });

  it("refuses an unfinished run with 409 and a clear message, members with 403, and another company's run with 404", async () => {
    const workflow = await createWorkflow(database.prisma, testCatalog, owner, {
      name: `waiting ${Date.now()}`,
      definition: definition([node("ask", "control.approval", { message: "Go?", timeoutMs: 60_000 })], ["trigger→ask"]),
    });
    await publishWorkflow(database.prisma, testCatalog, owner, workflow.id);
    const { run } = await body(await callRoute("POST", `/api/v1/workflows/${workflow.id}/runs`, { key, body: {} }));
    for (let i = 0; i < 500 && (await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: run.id } })).status !== "waiting"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const refused = await callRoute("POST", `/api/v1/runs/${run.id}/undo`, { key });
    expect(refused.status).toBe(409);
    expect((await body(refused)).error).toMatchObject({
      code: "conflict",
      message: "The run is still waiting: only a finished run (succeeded, failed or cancelled) can be undone",
      remediation: "Wait for it to finish, or cancel it, then undo its effects.",
    });
    expect((await body(await callRoute("GET", `/api/v1/runs/${run.id}/undo`, { key }))).canUndo).toBe(false);

    expect((await runAsCaller(member, () => callRoute("GET", `/api/v1/runs/${run.id}/undo`))).status).toBe(403);
    expect((await runAsCaller(member, () => callRoute("POST", `/api/v1/runs/${run.id}/undo`))).status).toBe(403);
    const other = await seedCompany(database.prisma, "Stranger");
    expect((await callRoute("POST", `/api/v1/runs/${run.id}/undo`, { key: other.key })).status).toBe(404);
    expect((await callRoute("GET", `/api/v1/runs/${run.id}/undo`, { key: other.key })).status).toBe(404);
  });

  it("is in the OpenAPI document", async () => {
    const document = await body(await callRoute("GET", "/api/v1/openapi.json"));
    expect(Object.keys(document.paths["/runs/{id}/undo"] ?? {}).sort()).toEqual(["get", "post"]);
  });
});
