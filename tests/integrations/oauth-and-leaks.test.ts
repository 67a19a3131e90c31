import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { runAsCaller } from "@/lib/auth/session";
import { catalog } from "@/lib/catalog";
import { closeDatabase, setDatabase } from "@/lib/db";
import { openSecret } from "@/lib/credentials/store";
import { executeIntegrationAction } from "@/lib/integrations/execute";
import { listIntegrationCards } from "@/lib/integrations/connections";
import { logger } from "@/lib/log";
import type { FakeSlack } from "@/fakes/slack/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { callRoute } from "../support/routes";
import { seedCompany } from "../support/seed";
import { createRun, renderSettingsPage, startSlackForTests, target } from "./support";

// Connects Slack through the OAuth routes and the fake's consent page, uses it, then looks for the
// tokens everywhere Flowline writes: responses, the page, log lines, every stored row (except the
// ciphertext itself).

let database: TestDatabase;
let fake: FakeSlack;
let owner: Caller;
let member: Caller;
const logLines: string[] = [];

beforeAll(async () => {
  fake = await startSlackForTests({ rotation: true, logLevel: "info" });
  database = await openTestDatabase();
  setDatabase(database);
  const seeded = await seedCompany(database.prisma, "Leak");
  owner = seeded.owner;
  member = { ...owner, userId: seeded.ids.memberUserId, role: "member" };
  await database.prisma.credential.deleteMany({ where: { companyId: owner.companyId } });
  // keep a copy of every line the app logger (and its children) writes to its destination
  const stream = (logger as unknown as Record<symbol, { write(line: string): boolean }>)[pino.symbols.streamSym]!;
  const write = stream.write.bind(stream);
  vi.spyOn(stream, "write").mockImplementation((line: string) => {
    logLines.push(line);
    return write(line);
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await closeDatabase();
  await fake.close();
});

const responses: string[] = [];
async function route(caller: Caller | null, path: string): Promise<Response> {
  const response = caller ? await runAsCaller(caller, () => callRoute("GET", path)) : await callRoute("GET", path);
  responses.push(`${response.status} ${response.headers.get("location") ?? ""} ${await response.clone().text()}`);
  return response;
}

const errorOf = (response: Response) => new URL(response.headers.get("location")!).searchParams.get("error");

/** Clicks "Allow" on the fake's consent page and returns where Slack sends the browser back to. */
async function allow(authorizeUrl: string, decision = "allow"): Promise<URL> {
  const consent = await fetch(authorizeUrl);
  expect(await consent.text()).toContain("Allow");
  const approve = new URL("/oauth/v2/approve", authorizeUrl);
  for (const [key, value] of new URL(authorizeUrl).searchParams) if (key !== "response_type") approve.searchParams.set(key, value);
  approve.searchParams.set("decision", decision);
  const back = await fetch(approve, { redirect: "manual" });
  return new URL(back.headers.get("location")!);
}

async function connectThroughRoutes(caller: Caller, owner: "company" | "user") {
  const start = await route(caller, `/api/integrations/slack/connect?owner=${owner}`);
  expect(start.status).toBe(303);
  const authorize = start.headers.get("location")!;
  expect(authorize.startsWith(`${fake.url}/oauth/v2/authorize?`)).toBe(true);
  expect(new URL(authorize).searchParams.get("scope")).toBe("chat:write,channels:read,groups:read,files:write,users:read");
  const callback = await allow(authorize);
  expect(callback.pathname).toBe("/api/integrations/slack/callback");
  return { callback, done: await route(caller, callback.pathname + callback.search) };
}

describe("OAuth routes", () => {
  it("answer 401 without a session, whatever the provider", async () => {
    expect((await route(null, "/api/integrations/slack/connect")).status).toBe(401);
    expect((await route(null, "/api/integrations/slack/callback?state=x&code=y")).status).toBe(401);
  });

  it("connect Slack through the consent page: tokens stored sealed, the page told “connected”", async () => {
    const { done } = await connectThroughRoutes(owner, "company");
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("http://flowline.test/settings/integrations?connected=slack");
    const rows = await database.prisma.credential.findMany({ where: { companyId: owner.companyId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: "oauth", status: "connected", displayName: "Fake Workspace", accountId: "T0FAKE01", isTeamDefaultProfile: true });
    expect(rows[0]!.scopes).toBe("chat:write,channels:read,groups:read,files:write,users:read");
    expect(rows[0]!.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 11 * 3600_000);
    expect(fake.callsTo("oauth.v2.access").at(-1)?.params).toMatchObject({
      client_id: fake.clientId,
      redirect_uri: "http://flowline.test/api/integrations/slack/callback",
    });
  });

  it("refuses a reused or forged callback and a member connecting for the company", async () => {
    const { callback } = await connectThroughRoutes(owner, "user");
    const again = await route(owner, callback.pathname + callback.search);
    expect(errorOf(again)).toMatch(/The authorization state was already used/);
    const forged = await route(owner, "/api/integrations/slack/callback?code=abc&state=forged-state");
    expect(errorOf(forged)).toMatch(/The authorization state is not valid/);
    // another person cannot finish someone else's authorization
    const started = await route(owner, "/api/integrations/slack/connect?owner=user");
    const stolen = await allow(started.headers.get("location")!);
    const thief = await route(member, stolen.pathname + stolen.search);
    expect(errorOf(thief)).toMatch(/not valid/);
    const denied = await route(member, "/api/integrations/slack/connect?owner=company");
    expect(errorOf(denied)).toMatch(/Only admins and owners/);
    const cancelled = await allow((await route(owner, "/api/integrations/slack/connect?owner=company")).headers.get("location")!, "deny");
    expect(errorOf(await route(owner, cancelled.pathname + cancelled.search))).toMatch(/access was not allowed/);
  });
});

describe("secrets never leave", () => {
  it("no token in responses, the page, log lines or any stored row but the ciphertext", async () => {
    const db = database.prisma;
    const rows = await db.credential.findMany({ where: { OR: [{ companyId: owner.companyId }, { userId: owner.userId }] } });
    const secrets = rows.flatMap((row) => {
      const secret = openSecret<{ accessToken: string; refreshToken?: string }>(row);
      return [secret.accessToken, ...(secret.refreshToken ? [secret.refreshToken] : [])];
    });
    expect(secrets.length).toBeGreaterThanOrEqual(4);

    // use the connection: a run step, a dry run, the channel picker, test and pause through actions
    const { runId, stepId } = await createRun(db, owner);
    const output = await executeIntegrationAction(db, {
      companyId: owner.companyId,
      userId: owner.userId,
      ...target("slack.send_message"),
      input: { channel: "general", text: "hi" },
      runId,
      stepId,
      idempotencyKey: "leak",
    });
    await db.workflowRunStep.update({ where: { id: stepId }, data: { status: "succeeded", output: output.output as object } });
    await db.runEffect.create({
      data: {
        runId,
        stepId,
        nodeId: "post",
        appId: "slack",
        credentialId: output.connectionId,
        action: "send_message",
        idempotencyKey: "leak",
        status: "completed",
        externalRef: output.externalRef,
        undoStrategy: "api_delete",
        canUndo: true,
      },
    });
    const actions = await import("@/app/(app)/settings/integrations/actions");
    const companyRow = rows.find((r) => r.companyId)!;
    const results = [
      output,
      await runAsCaller(owner, () => actions.testConnectionAction({ id: companyRow.id })),
      await runAsCaller(owner, () => actions.loadOptionsAction({ loader: "slack.channels" })),
      await runAsCaller(owner, () => actions.pauseConnectionAction({ id: companyRow.id })),
      await runAsCaller(owner, () => actions.resumeConnectionAction({ id: companyRow.id })),
      await runAsCaller(owner, () => actions.connectWithTokenAction({ appId: "slack", owner: "user", token: "xoxb-not-valid" })),
      await listIntegrationCards(db, owner, catalog),
    ];
    expect((results[1] as { ok: boolean }).ok).toBe(true);
    expect((results[2] as { ok: boolean }).ok).toBe(true);
    expect((results[5] as { ok: boolean }).ok).toBe(false);

    // the settings page as the server renders it
    const html = await renderSettingsPage(owner);
    expect(html).toContain("Fake Workspace");
    expect(html).toContain("Disconnect");

    const stored = JSON.stringify({
      credentials: await db.credential.findMany({ omit: { ciphertext: true } }),
      states: await db.oAuthState.findMany(),
      runs: await db.workflowRun.findMany({ include: { steps: true, effects: true } }),
      windows: await db.connectionRateWindow.findMany(),
      audit: await db.auditLog.findMany(),
    });
    const everything = { responses: responses.join("\n"), results: JSON.stringify(results), html, logs: logLines.join(""), stored };
    expect(logLines.length).toBeGreaterThan(0);
    for (const [where, text] of Object.entries(everything)) {
      for (const secret of secrets) expect(text.includes(secret), `${where} contains a token`).toBe(false);
      expect(/xox[bpe]-fake-\d+-[0-9a-f]{12}/.test(text), `${where} contains something shaped like a token`).toBe(false);
    }
  });
});
