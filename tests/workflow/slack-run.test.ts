import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
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
    expect(reply.params.thread_ts).toBe(run.steps.find((s) => s.nodeId === "post")!.output && (run.steps.find((s) => s.nodeId === "post")!.output as { ts: string }).ts);
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
