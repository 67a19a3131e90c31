import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, listAuditLog } from "@/lib/audit";
import { createApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import type { Caller } from "@/lib/auth/roles";
import { runAsCaller } from "@/lib/auth/session";
import { signUp } from "@/lib/companies/accounts";
import { changeRole, removeMember } from "@/lib/companies/members";
import { setPaused } from "@/lib/credentials/store";
import { closeDatabase, setDatabase } from "@/lib/db";
import { connectWithToken, disconnect } from "@/lib/integrations/connections";
import { catalog } from "@/lib/catalog";
import { cancelRun, completeWaitpoint, replayRun, startRun } from "@/lib/workflow/runs";
import { createWorkflow, deleteWorkflow, publishWorkflow, setWorkflowEnabled } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import type { FakeSlack } from "@/fakes/slack/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, jsonOf } from "../support/routes";
import { seedCompany } from "../support/seed";
import { startSlackForTests } from "../integrations/support";

// The audit log people read: every kind of change the issue lists is recorded where it happens,
// and GET /api/v1/audit (and Settings > Audit log, through the same function) filters and pages it.

let database: TestDatabase;
let fake: FakeSlack;
let owner: Caller;
let key: string;
let member: Caller;

beforeAll(async () => {
  fake = await startSlackForTests();
  database = await openTestDatabase();
  setDatabase(database);
  ({ owner, key } = await seedCompany(database.prisma, "Audited"));
  const { userId } = await signUp(database.prisma, {
    name: "Mia",
    email: `mia-${Date.now()}@audited.test`,
    password: "a long enough password",
    company: "Mia's own",
  });
  await database.prisma.membership.create({ data: { companyId: owner.companyId, userId, role: "member" } });
  member = { companyId: owner.companyId, userId, role: "member", apiKeyId: null };
}, 60_000);
afterAll(async () => {
  await closeDatabase();
  await fake.close();
});

const json = jsonOf;

describe("audit log", () => {
  it("records publish, enable/disable, delete, connections, members and roles, API keys, approvals, cancel and replay, and lists them with a summary", async () => {
    const db = database.prisma;
    const workflow = await createWorkflow(db, catalog, owner, {
      name: "Audited flow",
      definition: definition([node("ask", "control.approval", { message: "Ok?", timeoutMs: 60_000 })], ["trigger→ask"]),
    });
    await publishWorkflow(db, catalog, owner, workflow.id);
    await setWorkflowEnabled(db, catalog, owner, workflow.id, true);
    await setWorkflowEnabled(db, catalog, owner, workflow.id, false);

    const connection = await connectWithToken(db, owner, { appId: "slack", token: fake.issueBotToken() }, catalog);
    await setPaused(db, owner, { id: connection.id }, true);
    await setPaused(db, owner, { id: connection.id }, false);
    await disconnect(db, owner, { id: connection.id }, catalog);

    const membership = await db.membership.findFirstOrThrow({ where: { companyId: owner.companyId, userId: member.userId! } });
    await changeRole(db, owner, { membershipId: membership.id, role: "admin" });
    const { apiKey } = await createApiKey(db, owner, { name: "Temporary" });
    await revokeApiKey(db, owner, { id: apiKey.id });

    // a run waiting on its approval: the waitpoint and step a worker would write, then decided
    const { run } = await startRun(db, catalog, owner, workflow.id, {});
    await db.workflowRunStep.create({ data: { runId: run.id, nodeId: "ask", status: "waiting", input: { message: "Ok?", approvers: null } } });
    const waitpoint = await db.waitpoint.create({ data: { runId: run.id, nodeId: "ask", kind: "approval" } });
    await completeWaitpoint(db, { caller: owner }, waitpoint.id, { approved: true, comment: "fine" });
    const { run: second } = await startRun(db, catalog, owner, workflow.id, {});
    await cancelRun(db, owner, second.id);
    await replayRun(db, owner, second.id);
    await removeMember(db, owner, { id: membership.id });
    await deleteWorkflow(db, owner, workflow.id);

    const { entries } = await json(await callRoute("GET", "/api/v1/audit?limit=100", { key }));
    // oldest first, so the newest entry of each kind wins
    const summaries = Object.fromEntries([...entries].reverse().map((entry: { action: string; summary: string }) => [entry.action, entry.summary]));
    expect(summaries).toMatchObject({
      "workflow.published": "Published version 1",
      "workflow.enabled": "disabled → enabled",
      "workflow.disabled": "enabled → disabled",
      "workflow.deleted": expect.stringContaining("Deleted"),
      "connection.connected": expect.stringMatching(/^slack connected \(.+, pasted token\)$/),
      "connection.paused": "slack: connected → paused",
      "connection.resumed": "slack: paused → connected",
      "connection.disconnected": expect.stringMatching(/^slack \(.+\) disconnected/),
      "member.role_changed": expect.stringMatching(/^mia-.*: member → admin$/),
      "member.removed": expect.stringMatching(/^mia-.* \(admin\) removed$/),
      "apikey.created": 'Key "Temporary" created',
      "apikey.revoked": 'Key "Temporary" revoked',
      "approval.approved": expect.stringMatching(/^waiting → approved by owner-.*: "fine"$/),
      "run.cancelled": "queued → cancelled",
      "run.replayed": `Replay of run ${second.id}`,
    });
    const published = entries.find((entry: { action: string }) => entry.action === "workflow.published");
    expect(published).toMatchObject({
      label: "Workflow published",
      actor: { kind: "person", id: owner.userId },
      target: { type: "workflow", id: workflow.id, name: "Audited flow" },
    });
    expect(new Date(published.at).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("filters by event, area, person and time, and pages without gaps or repeats", async () => {
    const all = await listAuditLog(database.prisma, owner, { limit: 100 });
    const onlyPublish = await json(await callRoute("GET", "/api/v1/audit?action=workflow.published", { key }));
    expect(onlyPublish.entries.map((e: { action: string }) => e.action)).toEqual(["workflow.published"]);
    const area = await json(await callRoute("GET", "/api/v1/audit?action=connection.", { key }));
    expect(new Set(area.entries.map((e: { action: string }) => e.action))).toEqual(
      new Set(["connection.connected", "connection.paused", "connection.resumed", "connection.disconnected"]),
    );
    const byPerson = await json(await callRoute("GET", `/api/v1/audit?actorUserId=${owner.userId}`, { key }));
    expect(byPerson.entries.length).toBeGreaterThan(10);
    expect(byPerson.entries.every((e: { actor: { id: string } }) => e.actor.id === owner.userId)).toBe(true);
    const future = await json(await callRoute("GET", `/api/v1/audit?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`, { key }));
    expect(future.entries).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Record<string, any> = await json(await callRoute("GET", `/api/v1/audit?limit=4${cursor ? `&cursor=${cursor}` : ""}`, { key })); // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(page.entries.length).toBeLessThanOrEqual(4);
      seen.push(...page.entries.map((e: { id: string }) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.entries.map((entry) => entry.id));
    expect((await callRoute("GET", "/api/v1/audit?cursor=not-a-cursor", { key })).status).toBe(422);
  });

  it("is for admins and owners (and API keys) only", async () => {
    const { userId } = await signUp(database.prisma, {
      name: "Plain",
      email: `plain-${Date.now()}@audited.test`,
      password: "a long enough password",
      company: "Plain's own",
    });
    await database.prisma.membership.create({ data: { companyId: owner.companyId, userId, role: "member" } });
    const plain: Caller = { companyId: owner.companyId, userId, role: "member", apiKeyId: null };
    const refused = await runAsCaller(plain, () => callRoute("GET", "/api/v1/audit"));
    expect(refused.status).toBe(403);
    expect((await runAsCaller(owner, () => callRoute("GET", "/api/v1/audit"))).status).toBe(200);
    expect((await callRoute("GET", "/api/v1/audit")).status).toBe(401);
  });

  it("knows every kind of event the code records (so each has a label and a summary)", () => {
    const recorded = new Set<string>();
    const walk = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? (e.name === "generated" ? [] : walk(path.join(dir, e.name))) : [path.join(dir, e.name)]));
    for (const file of walk(path.join(process.cwd(), "lib")).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
      const source = fs.readFileSync(file, "utf8");
      if (!/\baudit\(/.test(source) || file.endsWith(`${path.sep}audit.ts`)) continue;
      for (const match of source.matchAll(/"((?:company|member|invite|apikey|workflow|run|approval|connection|document|signature)\.[a-z_]+)"/g))
        recorded.add(match[1]!);
    }
    expect(recorded.size).toBeGreaterThan(20);
    expect([...recorded].filter((action) => !auditEvents[action])).toEqual([]);
  });
});
