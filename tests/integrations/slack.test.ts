import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { describeAction, executeIntegrationAction, undoEffect, type ExecuteActionRequest } from "@/lib/integrations/execute";
import { loadOptions } from "@/lib/integrations/options";
import { validateDefinition } from "@/lib/workflow/validate";
import { catalog } from "@/lib/catalog";
import type { FakeSlack } from "@/fakes/slack/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { seedCompany } from "../support/seed";
import { connectSlack, createRun, startSlackForTests, target, executeAction } from "./support";
import { workflowFailure } from "../support/failure";

// Every Slack action through the real @slack/web-api client against the fake Slack.

let database: TestDatabase;
let fake: FakeSlack;
let owner: Caller;
let connectionId: string;

beforeAll(async () => {
  fake = await startSlackForTests();
  database = await openTestDatabase();
  ({ owner } = await seedCompany(database.prisma, "SlackCo"));
  await database.prisma.credential.deleteMany({ where: { companyId: owner.companyId } });
  connectionId = (await connectSlack(database.prisma, { companyId: owner.companyId }, fake.issueBotToken())).id;
});
afterAll(async () => {
  await database.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const run = (nodeType: string, input: unknown, extra: Partial<ExecuteActionRequest> = {}) =>
  executeAction(database.prisma, owner, nodeType, input, { ...extra });

describe("Slack node types", () => {
  it("registers every action as <integration>.<action> with its schemas, and definitions using them validate", () => {
    for (const type of ["slack.send_message", "slack.reply_in_thread", "slack.upload_file", "slack.notify_status"]) {
      const nodeType = catalog.get(type);
      expect(nodeType?.category).toBe("slack");
      expect(nodeType?.outputs).toEqual([{ id: "out" }]);
    }
    const definition = {
      trigger: { type: "manual", config: {} },
      nodes: [
        { id: "post", type: "slack.send_message", name: "Post", config: { channel: "general", text: "Hi" }, position: { x: 0, y: 0 } },
        {
          id: "reply",
          type: "slack.reply_in_thread",
          name: "Reply",
          config: { channel: "general", threadTs: "{{step.post.output.ts}}", text: "More" },
          position: { x: 0, y: 100 },
        },
      ],
      edges: [
        { id: "e1", source: "trigger", sourceHandle: "out", target: "post" },
        { id: "e2", source: "post", sourceHandle: "out", target: "reply" },
      ],
    };
    const problems = validateDefinition(definition, { mode: "strict", catalog }).filter((p) => p.severity === "error");
    expect(problems).toEqual([]);
    expect(describeAction(target("slack.send_message"))).toEqual({
      appId: "slack",
      action: "send_message",
      effectful: true,
      idempotency: "none",
      undoStrategy: "api_delete",
      canUndo: true,
    });
  });
});

describe("Slack actions against the fake", () => {
  it("send message: posts text and blocks, tags the message with the step's key, and undo deletes it", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*Hi*" } }];
    let before: unknown = null;
    const result = await run("slack.send_message", { channel: "#general", text: "Hello", blocks }, { beforeCall: async (info) => void (before = info) });
    expect(before).toEqual({ connectionId, appId: "slack" });
    const output = result.output as { channel: string; ts: string; threadTs: string };
    expect(output.channel).toBe("C0GENERAL");
    expect(output.threadTs).toBe(output.ts);
    expect(result.externalRef).toBe(`C0GENERAL:${output.ts}`);
    const stored = fake.messages.get(`C0GENERAL:${output.ts}`)!;
    expect(stored.text).toBe("Hello");
    expect(stored.blocks).toEqual(blocks);
    expect(JSON.stringify(stored.metadata)).toContain("flowline_step");

    await undoEffect(database.prisma, {
      companyId: owner.companyId,
      userId: owner.userId,
      ...target("slack.send_message"),
      connectionId,
      externalRef: result.externalRef!,
    });
    expect(fake.messages.has(`C0GENERAL:${output.ts}`)).toBe(false);
    // undoing again finds nothing to delete and still succeeds
    await undoEffect(database.prisma, {
      companyId: owner.companyId,
      userId: owner.userId,
      ...target("slack.send_message"),
      connectionId,
      externalRef: result.externalRef!,
    });
  });

  it("reply in thread: uses an earlier step's ts as thread_ts", async () => {
    const parent = (await run("slack.send_message", { channel: "general", text: "Parent" })).output as { ts: string };
    const reply = await run("slack.reply_in_thread", { channel: "general", threadTs: parent.ts, text: "Child" });
    const output = reply.output as { ts: string; threadTs: string };
    expect(output.threadTs).toBe(parent.ts);
    expect(fake.messages.get(`C0GENERAL:${output.ts}`)?.thread_ts).toBe(parent.ts);
    await undoEffect(database.prisma, {
      companyId: owner.companyId,
      userId: null,
      ...target("slack.reply_in_thread"),
      connectionId,
      externalRef: reply.externalRef!,
    });
    expect(fake.messages.has(`C0GENERAL:${output.ts}`)).toBe(false);
    expect((await workflowFailure(run("slack.reply_in_thread", { channel: "general", threadTs: "1.2", text: "x" }))).code).toBe("E_VALIDATION");
  });

  it("upload file: the three-step upload from content and from a URL; undo deletes the file", async () => {
    const fromContent = await run("slack.upload_file", { channel: "C0GENERAL", filename: "report.csv", content: "a,b\n1,2\n", initialComment: "Here" });
    const out = fromContent.output as { fileId: string };
    expect(fake.calls.map((c) => c.method)).toEqual(["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]);
    expect(fake.files.get(out.fileId)).toMatchObject({ uploaded: true, shared: true, channel: "C0GENERAL", filename: "report.csv" });
    expect(fake.files.get(out.fileId)?.body).toContain("a,b\n1,2\n");

    const url = fake.serveFile("logo.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), "image/png");
    const fromUrl = await run("slack.upload_file", { channel: "C0GENERAL", filename: "logo.png", url });
    expect(fake.files.get((fromUrl.output as { fileId: string }).fileId)?.length).toBe(7);

    await undoEffect(database.prisma, {
      companyId: owner.companyId,
      userId: null,
      ...target("slack.upload_file"),
      connectionId,
      externalRef: fromContent.externalRef!,
    });
    expect(fake.files.has(out.fileId)).toBe(false);

    fake.fail("upload", { type: "http", status: 500 });
    expect((await workflowFailure(run("slack.upload_file", { channel: "C0GENERAL", filename: "x.txt", content: "x" }))).code).toBe("E_PROVIDER");
    expect((await workflowFailure(run("slack.upload_file", { channel: "C0GENERAL", filename: "x.txt" }))).code).toBe("E_VALIDATION");
  });

  it("notify status: a message about the current run linking to its run page", async () => {
    const { runId, stepId } = await createRun(database.prisma, owner);
    const result = await executeIntegrationAction(database.prisma, {
      companyId: owner.companyId,
      userId: null,
      ...target("slack.notify_status"),
      input: { channel: "general", status: "failed", message: "Invoice 42 not sent" },
      runId,
      stepId,
      idempotencyKey: "k",
    });
    const output = result.output as { ts: string; runUrl: string };
    expect(output.runUrl).toBe(`http://flowline.test/runs/${runId}`);
    const text = fake.messages.get(`C0GENERAL:${output.ts}`)!.text;
    expect(text).toContain("Failed");
    expect(text).toContain("Invoice 42 not sent");
    expect(text).toContain(`<http://flowline.test/runs/${runId}|`);
  });

  it("a dry run returns the preview without decrypting or calling Slack", async () => {
    const result = await run("slack.notify_status", { channel: "general" }, { dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.connectionId).toBe(connectionId);
    expect(result.output).toMatchObject({ channel: "general", ts: "0000000000.000000" });
    expect(fake.calls).toEqual([]);
  });

  it.each([
    ["channel_not_found", "nowhere", "E_NOT_FOUND", /Invite the Slack app to #nowhere/],
    ["not_in_channel", "random", "E_NOT_FOUND", /Invite the Slack app to #random/],
  ])("%s is not retryable and says to invite the app", async (_code, channel, expected, remediation) => {
    const error = await workflowFailure(run("slack.send_message", { channel, text: "x" }));
    expect(error.code).toBe(expected);
    expect(error.retryable).toBe(false);
    expect(error.remediation).toMatch(remediation);
  });

  it.each([
    ["invalid_auth", "E_CREDENTIAL_INVALID"],
    ["token_revoked", "E_CREDENTIAL_INVALID"],
    ["missing_scope", "E_CREDENTIAL_SCOPE"],
    ["invalid_blocks", "E_VALIDATION"],
    ["ratelimited", "E_RATE_LIMITED"],
    ["internal_error", "E_PROVIDER"],
  ])("Slack error %s maps to %s", async (slackError, expected) => {
    fake.fail("chat.postMessage", { type: "error", error: slackError });
    const error = await workflowFailure(run("slack.send_message", { channel: "general", text: "x" }));
    expect(error.code).toBe(expected);
    expect(error.details?.slackError ?? slackError).toBe(slackError);
    // a credential error flagged the shared connection: set it back for the next cases
    await database.prisma.credential.update({ where: { id: connectionId }, data: { status: "connected" } });
  });

  it("a 429 comes back at once as E_RATE_LIMITED with Retry-After, and the retry then succeeds", async () => {
    fake.fail("chat.postMessage", { type: "ratelimit", retryAfter: 7 });
    const started = Date.now();
    const error = await workflowFailure(run("slack.send_message", { channel: "general", text: "x" }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.code).toBe("E_RATE_LIMITED");
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(7_000);
    await run("slack.send_message", { channel: "general", text: "x" });
    expect(fake.callsTo("chat.postMessage")).toHaveLength(2);
  });

  it("HTTP 500 is a retryable provider error; a timeout is E_TIMEOUT", async () => {
    fake.fail("chat.postMessage", { type: "http", status: 500 });
    const error = await workflowFailure(run("slack.send_message", { channel: "general", text: "x" }));
    expect([error.code, error.retryable]).toEqual(["E_PROVIDER", true]);
    fake.fail("chat.postMessage", { type: "timeout", ms: 1_500 });
    expect((await workflowFailure(run("slack.send_message", { channel: "general", text: "x" }, { timeoutMs: 300 }))).code).toBe("E_TIMEOUT");
  });

  it("invalid input is E_VALIDATION before anything is called", async () => {
    const error = await workflowFailure(run("slack.send_message", { channel: "", text: "" }));
    expect(error.code).toBe("E_VALIDATION");
    expect(error.message).toMatch(/channel/);
    expect(fake.calls).toEqual([]);
  });

  it("the per-connection rate limit is shared by every workflow and becomes E_RATE_LIMITED with the window's rest", async () => {
    const token = fake.issueBotToken();
    const { owner: busy } = await seedCompany(database.prisma, "Busy");
    await database.prisma.credential.deleteMany({ where: { companyId: busy.companyId } });
    const row = await connectSlack(database.prisma, { companyId: busy.companyId }, token);
    const now = new Date("2026-11-22T10:00:30Z");
    await database.prisma.connectionRateWindow.create({
      data: { credentialId: row.id, bucket: "slack.chat", windowStart: new Date("2026-11-22T10:00:00Z"), count: 60 },
    });
    const { runId, stepId } = await createRun(database.prisma, busy);
    const error = await workflowFailure(
      executeIntegrationAction(database.prisma, {
        companyId: busy.companyId,
        userId: null,
        ...target("slack.send_message"),
        input: { channel: "general", text: "x" },
        runId,
        stepId,
        idempotencyKey: "rl",
        now: () => now,
      }),
    );
    expect(error.code).toBe("E_RATE_LIMITED");
    expect(error.retryAfterMs).toBe(30_000);
    expect(fake.callsTo("chat.postMessage")).toHaveLength(0);
  });

  it("the channel picker pages through conversations.list", async () => {
    const first = await loadOptions(database.prisma, owner, { loader: "slack.channels" }, catalog);
    expect(first.connectionId).toBe(connectionId);
    expect(first.options.map((c) => c.label)).toContain("#general");
    expect(first.options.map((c) => c.label)).not.toContain("#old-news");
    expect(fake.callsTo("conversations.list")[0]?.params).toMatchObject({ types: "public_channel,private_channel", exclude_archived: "true" });
  });
});

describe("token refresh", () => {
  it("refreshes an expiring token before calling, and two concurrent runs call the token endpoint once", async () => {
    fake.settings.rotation = true;
    try {
      const { owner: rotating } = await seedCompany(database.prisma, "Rotating");
      await database.prisma.credential.deleteMany({ where: { companyId: rotating.companyId } });
      // an OAuth install through the fake gives an access + refresh token pair
      const code = await fakeInstall();
      const grant = await (
        await import("@/lib/integrations/oauth2")
      ).exchangeCode((await import("@/lib/integrations/slack")).slack, { code, redirectUri: "http://flowline.test/cb" });
      const row = await connectSlack(database.prisma, { companyId: rotating.companyId }, grant.secret.accessToken, {
        refreshToken: grant.secret.refreshToken as string,
        expiresAt: new Date(Date.now() + 60_000),
      });
      fake.reset();
      fake.fail("oauth.v2.access", { type: "delay", ms: 300 });
      const go = async () => {
        const { runId, stepId } = await createRun(database.prisma, rotating);
        return executeIntegrationAction(database.prisma, {
          companyId: rotating.companyId,
          userId: null,
          ...target("slack.send_message"),
          input: { channel: "general", text: "x" },
          runId,
          stepId,
          idempotencyKey: runId,
        });
      };
      await Promise.all([go(), go()]);
      expect(fake.callsTo("oauth.v2.access").filter((c) => c.params.grant_type === "refresh_token")).toHaveLength(1);
      const posts = fake.callsTo("chat.postMessage");
      expect(posts).toHaveLength(2);
      expect(posts.every((c) => c.token !== grant.secret.accessToken)).toBe(true);
      const updated = await database.prisma.credential.findUniqueOrThrow({ where: { id: row.id } });
      expect(updated.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 60 * 60_000);

      // a token Slack expired early: refresh once on the 401, then succeed
      const current = posts[1]!.token!;
      fake.expire(current);
      fake.reset();
      await go();
      expect(fake.callsTo("chat.postMessage").map((c) => c.token === current)).toEqual([true, false]);
      expect(fake.callsTo("oauth.v2.access")).toHaveLength(1);

      // a refresh Slack refuses marks the connection needs_attention
      const latest = fake.callsTo("chat.postMessage")[1]!.token!;
      fake.expire(latest);
      fake.fail("oauth.v2.access", { type: "error", error: "invalid_refresh_token" });
      const error = await workflowFailure(go());
      expect(error.code).toBe("E_CREDENTIAL_INVALID");
      expect(error.remediation).toBe("Reconnect Slack in Settings > Integrations");
      expect((await database.prisma.credential.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("needs_attention");
    } finally {
      fake.settings.rotation = false;
    }
  });
});

/** Walks the fake's consent page like a browser would and returns the code. */
async function fakeInstall(): Promise<string> {
  const approve = new URL(`${fake.url}/oauth/v2/approve`);
  approve.search = new URLSearchParams({
    client_id: fake.clientId,
    redirect_uri: "http://flowline.test/cb",
    state: "s",
    scope: "chat:write",
    decision: "allow",
  }).toString();
  const response = await fetch(approve, { redirect: "manual" });
  return new URL(response.headers.get("location")!).searchParams.get("code")!;
}
