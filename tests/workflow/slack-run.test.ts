import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { stepIdempotencyKey } from "@/lib/workflow/engine/interpreter";
import { EmbeddedWorker } from "@/lib/workflow/hosts/embedded";
import { startRun } from "@/lib/workflow/runs";
import { createWorkflow, publishWorkflow } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import type { FakeSlack } from "@/fakes/slack/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { seedCompany } from "../support/seed";
import { connectSlack, startSlackForTests } from "../integrations/support";
import { testCatalog } from "../support/test-nodes";

// Slack steps inside real runs: the engine, lib/integrations, the real WebClient and the fake Slack.

let database: TestDatabase;
let owner: Caller;
let fake: FakeSlack;
let worker: EmbeddedWorker;
let token: string;
beforeAll(async () => {
  fake = await startSlackForTests();
  database = await openTestDatabase();
  ({ owner } = await seedCompany(database.prisma, "Slacker"));
  token = fake.issueBotToken();
  await connectSlack(database.prisma, { companyId: owner.companyId }, token);
  worker = new EmbeddedWorker(database.prisma, { catalog: testCatalog, pollMs: 25 });
  await worker.start();
}, 60_000);
afterAll(async () => {
  await worker.stop();
  await database.close();
  await fake.close();
});

async function runToEnd(def: ReturnType<typeof definition>, options: { dryRun?: boolean } = {}) {
  const workflow = await createWorkflow(database.prisma, testCatalog, owner, { name: `slack ${Date.now()}`, definition: def });
  await publishWorkflow(database.prisma, testCatalog, owner, workflow.id);
  const { run } = await startRun(database.prisma, testCatalog, owner, workflow.id, { payload: { amount: 42 }, ...(options.dryRun ? { dryRun: true } : {}) });
  for (let i = 0; i < 500; i++) {
    const current = await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: run.id }, include: { steps: true, effects: true } });
    if (["succeeded", "failed"].includes(current.status)) return current;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("run did not finish");
}

const postThenReply = definition(
  [
    node("post", "slack.send_message", { channel: "C0GENERAL", text: "Invoice for {{trigger.payload.amount}} EUR" }),
    node("reply", "slack.reply_in_thread", { channel: "C0GENERAL", threadTs: "{{step.post.output.ts}}", text: "Paid" }),
  ],
  ["trigger→post", "post→reply"],
);

describe("Slack steps in a run", () => {
  it("posts, replies in the thread, and keeps the books of both effects", async () => {
    fake.reset();
    const run = await runToEnd(postThenReply);
    expect(run.status).toBe("succeeded");
    const [post, reply] = [fake.callsTo("chat.postMessage")[0]!, fake.callsTo("chat.postMessage")[1]!];
    expect(post.params.text).toBe("Invoice for 42 EUR");
    expect(reply.params.thread_ts).toBe(
      run.steps.find((s) => s.nodeId === "post")!.output && (run.steps.find((s) => s.nodeId === "post")!.output as { ts: string }).ts,
    );
    expect(run.effects).toHaveLength(2);
    for (const effect of run.effects) {
      expect(effect).toMatchObject({ status: "completed", appId: "slack", undoStrategy: "api_delete", canUndo: true });
      expect(effect.credentialId).toBeTruthy();
      expect(effect.externalRef).toBeTruthy();
    }
    // the bot token never lands in a step record
    expect(JSON.stringify(run.steps)).not.toContain(token);
  });

  it("a dry run previews the Slack steps without calling Slack or writing effects", async () => {
    fake.reset();
    const run = await runToEnd(postThenReply, { dryRun: true });
    expect({ status: run.status, error: run.errorMessage }).toEqual({ status: "succeeded", error: null });
    expect(fake.callsTo("chat.postMessage")).toHaveLength(0);
    expect(run.effects).toHaveLength(0);
  });

  it("fails the step with E_CREDENTIAL_INVALID and its remediation when Slack refuses the token", async () => {
    fake.reset();
    fake.fail("chat.postMessage", { type: "error", error: "invalid_auth" });
    const run = await runToEnd(definition([node("post", "slack.send_message", { channel: "C0GENERAL", text: "x" })], ["trigger→post"]));
    expect(run).toMatchObject({ status: "failed", errorCode: "E_CREDENTIAL_INVALID" });
    expect(run.effects[0]).toMatchObject({ status: "failed" });
  });
});

describe("a Slack step found running after a crash", () => {
  const post = definition([node("post", "slack.send_message", { channel: "C0GENERAL", text: "Invoice paid" })], ["trigger→post"]);

  /** The state a worker killed during the Slack call leaves: the running record and the pending effect, its lease expired. */
  async function crashedDuringCall(alreadyPosted: boolean) {
    const workflow = await createWorkflow(database.prisma, testCatalog, owner, { name: `crashed ${Date.now()}`, definition: post });
    await publishWorkflow(database.prisma, testCatalog, owner, workflow.id);
    const { publishedVersionId } = await database.prisma.workflow.findUniqueOrThrow({ where: { id: workflow.id } });
    const run = await database.prisma.workflowRun.create({
      data: {
        companyId: owner.companyId,
        workflowId: workflow.id,
        versionId: publishedVersionId,
        triggerType: "manual",
        triggerPayload: {},
        startedById: owner.userId,
        status: "running",
        leaseOwner: "dead-worker",
        leaseExpiresAt: new Date(Date.now() + 500),
        startedAt: new Date(),
      },
    });
    const key = stepIdempotencyKey(run.id, "post", "");
    const connection = await connectSlack(database.prisma, { companyId: owner.companyId }, token);
    const step = await database.prisma.workflowRunStep.create({
      data: { runId: run.id, nodeId: "post", status: "running", seq: 1, input: { channel: "C0GENERAL", text: "Invoice paid" } },
    });
    await database.prisma.runEffect.create({
      data: { runId: run.id, stepId: step.id, nodeId: "post", appId: "slack", action: "slack.send_message", idempotencyKey: key, credentialId: connection.id },
    });
    // The call reached Slack before the kill: the message carries the step's key.
    const posted = alreadyPosted
      ? await new WebClient(token, { slackApiUrl: fake.apiUrl }).chat.postMessage({
          channel: "C0GENERAL",
          text: "Invoice paid",
          metadata: { event_type: "flowline_step", event_payload: { idempotency_key: key } },
        })
      : null;
    return { runId: run.id, posted };
  }

  async function finished(runId: string) {
    await expect
      .poll(async () => (await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: runId } })).status, { timeout: 30_000 })
      .toBe("succeeded");
    return database.prisma.workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { steps: { orderBy: { seq: "asc" } }, effects: true } });
  }

  it("finds the message it posted by the step's key and succeeds with it, without posting again", async () => {
    fake.reset();
    const { runId, posted } = await crashedDuringCall(true);
    const run = await finished(runId);
    expect(fake.callsTo("chat.postMessage")).toHaveLength(1);
    expect(run.steps.map((s) => `${s.attempt}:${s.status}`)).toEqual(["1:succeeded"]);
    expect(run.steps[0]!.output).toEqual({ channel: "C0GENERAL", ts: posted!.ts, threadTs: posted!.ts });
    expect(run.effects[0]).toMatchObject({ status: "completed" });
    expect(run.needsAttention).toBe(false);
  });

  it("posts once more when the message is not there: the call never happened", async () => {
    fake.reset();
    const { runId } = await crashedDuringCall(false);
    const run = await finished(runId);
    expect(fake.callsTo("chat.postMessage")).toHaveLength(1);
    expect(run.steps.map((s) => `${s.attempt}:${s.status}${s.errorCode ? `(${s.errorCode})` : ""}`)).toEqual(["1:failed(E_INTERRUPTED)", "2:succeeded"]);
    expect(run.effects[0]).toMatchObject({ status: "completed" });
  });

  it("puts no effect on record when the step fails before calling Slack", async () => {
    fake.reset();
    const run = await runToEnd(
      definition([node("post", "slack.send_message", { channel: "C0GENERAL", text: "x" }, { connectionId: "no-such-connection" })], ["trigger→post"]),
    );
    expect(run.status).toBe("failed");
    expect(fake.callsTo("chat.postMessage")).toHaveLength(0);
    expect(run.effects).toHaveLength(0);
  });
});
