import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { catalog } from "@/lib/catalog";
import { closeDatabase, setDatabase } from "@/lib/db";
import { storeFile } from "@/lib/files/store";
import { completeOAuth, connectWithToken, startOAuth, testConnection } from "@/lib/integrations/connections";
import { BOT_PERMISSIONS } from "@/lib/integrations/discord/client";
import { executeIntegrationAction, reconcileIntegrationAction, undoEffect, type ExecuteActionRequest } from "@/lib/integrations/execute";
import { listWorkflowScopes, setWorkflowScope, setWorkflowScopePaused } from "@/lib/integrations/scopes";
import { loadOptions } from "@/lib/integrations/options";
import { connectThroughConsent, discordEnvFor } from "@/fakes/discord/contract";
import { startFakeDiscord, type FakeDiscord } from "@/fakes/discord/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { appFailure, workflowFailure } from "../support/failure";
import { seedCompany } from "../support/seed";
import { createRun, executeAction, renderSettingsPage, setProviderTestEnv, target } from "./support";

// Discord through the real @discordjs/rest client against the fake Discord: installing the bot
// (OAuth with the server chosen on the consent page, or a pasted bot token), the pickers, every
// action with its undo and reconcile, rate limits from Discord's headers, and the error mapping.

let database: TestDatabase;
let fake: FakeDiscord;
let owner: Caller;
/** Another company, for connections that would otherwise replace the main one (the same server connected again). */
let second: Caller;
let connectionId: string;
let general: string;

beforeAll(async () => {
  fake = await startFakeDiscord();
  setProviderTestEnv(discordEnvFor(fake));
  database = await openTestDatabase();
  // The settings page reads the app's database.
  setDatabase(database);
  ({ owner } = await seedCompany(database.prisma, "DiscordCo"));
  ({ owner: second } = await seedCompany(database.prisma, "DiscordPasteCo"));
  await database.prisma.credential.deleteMany({ where: { companyId: { in: [owner.companyId, second.companyId] } } });
  connectionId = (await connectThroughConsent(database.prisma, fake, { companyId: owner.companyId })).id;
  general = fake.channel("general");
});
afterAll(async () => {
  await closeDatabase();
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  fake.resetBuckets();
});

const run = (nodeType: string, input: unknown, extra: Partial<ExecuteActionRequest> = {}) =>
  executeAction(database.prisma, owner, nodeType, input, { connectionId, ...extra });

describe("installing the Discord bot", () => {
  it("OAuth asks for the bot scope with send, embed, attach and thread permissions; the server chosen on the consent page is the connection's", async () => {
    const { url } = await startOAuth(database.prisma, owner, { provider: "discord", owner: "company" }, catalog);
    const authorize = new URL(url);
    expect(authorize.searchParams.get("scope")).toBe("bot");
    expect(BigInt(authorize.searchParams.get("permissions")!)).toBe(BOT_PERMISSIONS);
    const consent = await (await fetch(url)).text();
    for (const guild of fake.guilds) expect(consent).toContain(guild.id);
    expect(consent).toContain("Create Public Threads");

    const approve = new URL(`${fake.apiUrl}/oauth2/approve`);
    approve.search = new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), guild_id: fake.guilds[2]!.id, decision: "allow" }).toString();
    const back = new URL((await fetch(approve, { redirect: "manual" })).headers.get("location")!);
    expect(back.searchParams.get("guild_id")).toBe(fake.guilds[2]!.id);
    const connection = await completeOAuth(database.prisma, owner, { provider: "discord", query: Object.fromEntries(back.searchParams) }, catalog);
    expect([connection.displayName, connection.accountId, connection.type]).toEqual(["Acme Design", fake.guilds[2]!.id, "oauth"]);
    // It acts there, with the app's bot token.
    const tested = await testConnection(database.prisma, owner, { id: connection.id }, catalog);
    expect(tested.account).toMatchObject({ displayName: "Acme Design", details: { bot: "@Flowline" } });
    expect(fake.callsTo("getGuild").at(-1)?.token).toBe(fake.botToken);
    await database.prisma.credential.delete({ where: { id: connection.id } });
  });

  it("a pasted bot token is checked for shape and with Discord, then bound to one of the bot's servers", async () => {
    const shape = await appFailure(connectWithToken(database.prisma, second, { appId: "discord", token: "not-a-bot-token" }, catalog));
    expect(shape.code).toBe("validation_failed");
    const revoked = fake.issueBotToken();
    fake.revoke(revoked);
    expect((await appFailure(connectWithToken(database.prisma, second, { appId: "discord", token: revoked }, catalog))).message).toBe(
      "Discord did not accept this token",
    );

    const pasted = await connectWithToken(database.prisma, second, { appId: "discord", token: fake.issueBotToken("Pasted bot") }, catalog);
    expect(pasted).toMatchObject({ type: "apikey", accountId: fake.guilds[0]!.id, displayName: "Fake Server", accountChoices: 3 });
    await database.prisma.credential.delete({ where: { id: pasted.id } });
  });
});

describe("Discord pickers", () => {
  const options = (loader: string, extra: { search?: string } = {}) =>
    loadOptions(database.prisma, owner, { loader: `discord.${loader}`, connectionId, ...extra }, catalog);

  it("lists the connection's server, its text and announcement channels (not voice or categories), and its active threads", async () => {
    expect((await options("guilds")).options).toEqual([{ value: fake.guilds[0]!.id, label: "Fake Server", description: "this connection's server" }]);
    const channels = (await options("channels")).options;
    expect(channels.map((o) => o.label)).toEqual(["#general", "#announcements", "#private-ops", "#read-only"]);
    expect(channels[1]).toMatchObject({ description: "announcement channel" });
    expect((await options("channels", { search: "#gen" })).options.map((o) => o.value)).toEqual([general]);

    const posted = await run("discord.send_message", { channel: general, content: "Start a thread here" });
    await run("discord.reply_in_thread", {
      channel: general,
      thread: (posted.output as { messageId: string }).messageId,
      threadName: "Invoices",
      content: "First",
    });
    expect((await options("threads")).options).toContainEqual({
      value: (posted.output as { messageId: string }).messageId,
      label: "Invoices",
      description: "in #general",
    });
  });
});

describe("Discord actions", () => {
  it("sends content and embeds, tagged with the step's nonce, pinging nobody; undo deletes the message, and a second undo finds nothing to do", async () => {
    const embeds = [{ title: "Invoice 42", description: "Sent to Mary Red" }];
    const result = await run("discord.send_message", { channel: general, content: "Hello @everyone", embeds });
    const output = result.output as { channelId: string; messageId: string };
    expect(output.channelId).toBe(general);
    const stored = fake.messages.get(output.messageId)!;
    expect([stored.content, stored.embeds]).toEqual(["Hello @everyone", embeds]);
    const call = fake.callsTo("createMessage")[0]!;
    expect(JSON.parse(call.params.allowed_mentions!)).toEqual({ parse: [] });
    expect(call.params.enforce_nonce).toBe("true");
    expect(call.params.nonce).toHaveLength(25);
    expect(call.token).toBe(fake.botToken);
    expect(result.externalRef).toBe(`${general}:${output.messageId}`);

    const undo = () =>
      undoEffect(database.prisma, {
        companyId: owner.companyId,
        userId: null,
        ...target("discord.send_message"),
        connectionId,
        externalRef: result.externalRef!,
      });
    await undo();
    expect(fake.messages.has(output.messageId)).toBe(false);
    await undo();
  });

  it("a retry of the same step posts nothing new (enforce_nonce), and reconcile finds the message by its nonce", async () => {
    const { runId, stepId } = await createRun(database.prisma, owner);
    const request = {
      companyId: owner.companyId,
      userId: owner.userId,
      ...target("discord.send_message"),
      connectionId,
      input: { channel: general, content: "Exactly once" },
      runId,
      stepId,
      idempotencyKey: `${runId}:${stepId}`,
    };
    const first = await executeIntegrationAction(database.prisma, request);
    const again = await executeIntegrationAction(database.prisma, request);
    expect(again.output).toEqual(first.output);
    expect([...fake.messages.values()].filter((m) => m.content === "Exactly once")).toHaveLength(1);

    expect(await reconcileIntegrationAction(database.prisma, request)).toEqual({ outcome: "done", output: first.output });
    expect(await reconcileIntegrationAction(database.prisma, { ...request, idempotencyKey: "another step" })).toEqual({ outcome: "not_done" });
  });

  it("replies in a thread: starts one from an earlier message the first time, then posts into it", async () => {
    const parent = (await run("discord.send_message", { channel: general, content: "Approval needed" })).output as { messageId: string };
    const first = (await run("discord.reply_in_thread", { channel: general, thread: parent.messageId, content: "Looking" })).output;
    expect(first).toMatchObject({ threadId: parent.messageId, channelId: parent.messageId, threadStarted: true });
    expect(fake.channels.get(parent.messageId)).toMatchObject({ type: 11, name: "Replies", parent_id: general });
    const second = (await run("discord.reply_in_thread", { thread: parent.messageId, content: "Approved ✅" })).output;
    expect(second).toMatchObject({ threadId: parent.messageId, threadStarted: false });
    expect(fake.callsTo("startThread")).toHaveLength(1);
    const reply = fake.messages.get((second as { messageId: string }).messageId)!;
    expect([reply.channel_id, reply.content]).toEqual([parent.messageId, "Approved ✅"]);

    const missing = await workflowFailure(run("discord.reply_in_thread", { channel: general, thread: "1199999999999999999", content: "?" }));
    expect(missing.code).toBe("E_NOT_FOUND");
  });

  it("uploads a file an earlier step stored, as multipart with the message", async () => {
    const bytes = new TextEncoder().encode("%PDF-1.4 fake contract");
    const file = await storeFile(database.prisma, owner.companyId, { filename: "contract.pdf", contentType: "application/pdf", bytes });
    const output = (await run("discord.upload_file", { channel: general, fileId: file.id, content: "The signed contract" })).output as {
      messageId: string;
      filename: string;
      size: number;
    };
    expect([output.filename, output.size]).toEqual(["contract.pdf", bytes.length]);
    const stored = fake.messages.get(output.messageId)!;
    expect(stored.content).toBe("The signed contract");
    expect(stored.attachments[0]?.bytes.equals(Buffer.from(bytes))).toBe(true);
    expect(stored.attachments[0]?.content_type).toBe("application/pdf");

    const other = await seedCompany(database.prisma, "OtherDiscordCo");
    const theirs = await storeFile(database.prisma, other.owner.companyId, { filename: "secret.pdf", contentType: "application/pdf", bytes });
    expect((await workflowFailure(run("discord.upload_file", { channel: general, fileId: theirs.id }))).code).toBe("E_VALIDATION");
    expect(fake.callsTo("createMessage")).toHaveLength(1);
  });

  it("notifies the run's status as an embed linking to its run page", async () => {
    const result = await run("discord.notify_status", { channel: general, status: "failed", message: "Invoice 42 was refused" });
    const output = result.output as { messageId: string; runUrl: string };
    expect(output.runUrl).toMatch(/^http:\/\/flowline\.test\/runs\/\w+$/);
    const [embed] = fake.messages.get(output.messageId)!.embeds as { title: string; url: string; description: string; color: number }[];
    expect(embed).toMatchObject({ title: "❌ Failed", url: output.runUrl, description: "Invoice 42 was refused", color: 0xed4245 });
  });

  it("goes to the connection's default channel when the step names none, and says what to do when there is none", async () => {
    const announcements = fake.channel("announcements");
    expect((await workflowFailure(run("discord.send_message", { content: "Where?" }))).remediation).toContain("set a default channel for Discord");
    await database.prisma.credential.update({ where: { id: connectionId }, data: { defaultChannel: announcements } });
    try {
      expect((await run("discord.send_message", { content: "To the default" })).output).toMatchObject({ channelId: announcements });
    } finally {
      await database.prisma.credential.update({ where: { id: connectionId }, data: { defaultChannel: null } });
    }
  });

  it("dry runs preview without calling Discord", async () => {
    const result = await run("discord.send_message", { channel: general, content: "Preview" }, { dryRun: true });
    expect(result).toMatchObject({ dryRun: true, output: { channelId: general, messageId: "0" } });
    expect(fake.calls).toHaveLength(0);
  });
});

describe("Discord errors and rate limits", () => {
  it("a channel the bot cannot see (Missing Access) or that does not exist (Unknown Channel) fails for good, saying to invite the bot", async () => {
    for (const channel of [fake.channel("private-ops"), "1199999999999999998"]) {
      const error = await workflowFailure(run("discord.send_message", { channel, content: "Hi" }));
      expect([error.code, error.retryable]).toEqual(["E_NOT_FOUND", false]);
      expect(error.remediation).toBe(`Invite the bot to #${channel} (or give its role View Channel there), or choose another channel`);
    }
    fake.fail("createMessage", { type: "error", error: "10003" });
    expect((await workflowFailure(run("discord.send_message", { channel: general, content: "Hi" }))).code).toBe("E_NOT_FOUND");
  });

  it("a channel of another server is refused before anything is sent: the app's bot may be in other companies' servers", async () => {
    const elsewhere = fake.channel("design", fake.guilds[2]!.id);
    for (const [nodeType, input] of [
      ["discord.send_message", { channel: elsewhere, content: "Hi" }],
      ["discord.reply_in_thread", { channel: elsewhere, thread: "1199999999999999997", content: "Hi" }],
    ] as const) {
      const error = await workflowFailure(run(nodeType, input));
      expect([error.code, error.message]).toEqual(["E_NOT_FOUND", `Discord channel #${elsewhere} is not in this connection's server`]);
    }
    expect(fake.callsTo("createMessage")).toHaveLength(0);
    expect(fake.callsTo("startThread")).toHaveLength(0);
    // Nor does the shared bot's list of servers show the others, to pick from or to switch to.
    expect((await loadOptions(database.prisma, owner, { loader: "discord.guilds", connectionId }, catalog)).options.map((o) => o.value)).toEqual([
      fake.guilds[0]!.id,
    ]);
  });

  it("a channel where the bot may not write (Missing Permissions) names the permissions to give", async () => {
    const error = await workflowFailure(run("discord.send_message", { channel: fake.channel("read-only"), content: "Hi" }));
    expect([error.code, error.retryable]).toEqual(["E_CREDENTIAL_SCOPE", false]);
    expect(error.remediation).toContain("Send Messages");
  });

  it("input Discord refuses (Invalid Form Body) is a validation error, not a retry", async () => {
    const error = await workflowFailure(run("discord.send_message", { channel: general, content: "Hi", embeds: ["not an embed"] }));
    expect(error.code).toBe("E_VALIDATION");
  });

  it("a spent bucket answers 429 with Discord's headers: the step waits as long as Discord says, durably", async () => {
    fake.bucket.limit = 2;
    try {
      await run("discord.send_message", { channel: general, content: "1" });
      await run("discord.send_message", { channel: general, content: "2" });
      const limited = await workflowFailure(run("discord.send_message", { channel: general, content: "3" }));
      expect(limited.code).toBe("E_RATE_LIMITED");
      expect(limited.retryAfterMs).toBeGreaterThan(0);
      expect(limited.retryAfterMs).toBeLessThanOrEqual(fake.bucket.windowMs);
      expect(fake.calls.at(-1)?.params.limited).toBe("true");
    } finally {
      fake.bucket.limit = 1000;
    }
  });

  it("a rejected bot token (401) leaves the connection needing attention", async () => {
    const token = fake.issueBotToken();
    const pasted = await connectWithToken(database.prisma, second, { appId: "discord", token }, catalog);
    fake.revoke(token);
    const error = await workflowFailure(
      run("discord.send_message", { channel: general, content: "Hi" }, { companyId: second.companyId, userId: second.userId, connectionId: pasted.id }),
    );
    expect([error.code, error.remediation]).toEqual(["E_CREDENTIAL_INVALID", "Reconnect Discord in Settings > Integrations"]);
    expect((await database.prisma.credential.findUniqueOrThrow({ where: { id: pasted.id } })).status).toBe("needs_attention");
    await database.prisma.credential.delete({ where: { id: pasted.id } });
  });
});

describe("Discord installation scopes", () => {
  it("a workflow's own default channel takes steps that name none; the company's stays for the others; Settings names the workflow", async () => {
    const announcements = fake.channel("announcements");
    await database.prisma.credential.update({ where: { id: connectionId }, data: { defaultChannel: general } });
    const draft = {
      trigger: { type: "manual", config: {} },
      nodes: [{ id: "post", type: "discord.send_message", name: "Post", config: { content: "hi" }, position: { x: 0, y: 0 } }],
      edges: [],
    };
    const create = async (name: string) => (await database.prisma.workflow.create({ data: { companyId: owner.companyId, name, draft } })).id;
    const own = await create("Own channel");
    const inheriting = await create("Inherits");
    try {
      const [scope] = await setWorkflowScope(
        database.prisma,
        owner,
        { workflowId: own, appId: "discord", connectionId: "", defaultChannel: announcements },
        catalog,
      );
      expect(scope).toMatchObject({ connection: { origin: "company" }, defaultChannel: { origin: "workflow", value: announcements, inherited: general } });
      expect((await listWorkflowScopes(database.prisma, owner, inheriting, catalog))[0]).toMatchObject({
        defaultChannel: { origin: "company", value: general },
      });

      const postIn = async (workflowId: string) => {
        const { runId, stepId } = await createRun(database.prisma, owner, workflowId);
        const request = { companyId: owner.companyId, userId: null, ...target("discord.send_message"), input: { content: "hi" }, runId, stepId };
        return (await executeIntegrationAction(database.prisma, { ...request, idempotencyKey: `${runId}:${stepId}` })).output as { channelId: string };
      };
      expect((await postIn(own)).channelId).toBe(announcements);
      expect((await postIn(inheriting)).channelId).toBe(general);

      await setWorkflowScopePaused(database.prisma, owner, { workflowId: own, appId: "discord", paused: true }, catalog);
      const html = await renderSettingsPage(owner);
      expect(html).toContain("Workflows with their own Discord settings");
      expect(html).toContain(`channel ${announcements}: Set on this workflow`);
      expect(html).toContain("connection: Inherited from the company");
      expect(html).toContain("paused on this workflow");
    } finally {
      await database.prisma.workflow.deleteMany({ where: { id: { in: [own, inheriting] } } });
      await database.prisma.credential.update({ where: { id: connectionId }, data: { defaultChannel: null } });
    }
  });

  it("the editor's pickers list the channels of the workflow's own connection", async () => {
    const acme = await connectThroughConsent(database.prisma, fake, { companyId: owner.companyId }, fake.guilds[2]!.id);
    const workflowId = (await database.prisma.workflow.create({ data: { companyId: owner.companyId, name: "Acme only", draft: {} } })).id;
    try {
      await setWorkflowScope(database.prisma, owner, { workflowId, appId: "discord", connectionId: acme.id, defaultChannel: null }, catalog);
      const page = await loadOptions(database.prisma, owner, { loader: "discord.channels", workflowId }, catalog);
      expect([page.connectionId, page.options.map((o) => o.label)]).toEqual([acme.id, ["#design"]]);
      // Without the workflow, the company's default server.
      expect((await loadOptions(database.prisma, owner, { loader: "discord.channels" }, catalog)).connectionId).toBe(connectionId);
    } finally {
      await database.prisma.workflow.delete({ where: { id: workflowId } });
      await database.prisma.credential.delete({ where: { id: acme.id } });
    }
  });
});
