import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/auth/api-keys";
import type { Caller, Role } from "@/lib/auth/roles";
import { runAsCaller } from "@/lib/auth/session";
import { signUp } from "@/lib/companies/accounts";
import { closeDatabase, setDatabase } from "@/lib/db";
import { EmbeddedWorker } from "@/lib/workflow/hosts/embedded";
import { approvalLinkToken } from "@/lib/workflow/runs";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { decideApprovalAction } from "@/app/(app)/runs/actions";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, jsonOf } from "../support/routes";
import { seedCompany } from "../support/seed";
import { testCatalog } from "../support/test-nodes";

// Who may decide an approval (lib/workflow/approvers.ts), through the UI's server action, the API
// and signed links: the matrix of member, admin, owner, listed, unlisted, API key and link.

let database: TestDatabase;
let worker: EmbeddedWorker;
let owner: Caller;
let companyId: string;
let keys: { plain: string; ops: string };
const people: Record<"member" | "admin" | "cfo", Caller & { email: string }> = {} as never;
const suffix = randomBytes(3).toString("hex");
const cfoEmail = `cfo-${suffix}@approvers.test`;

async function addPerson(role: Role, email: string): Promise<Caller & { email: string }> {
  const { userId } = await signUp(database.prisma, { name: email, email, password: "a long enough password", company: `Own ${email}` });
  await database.prisma.membership.create({ data: { companyId, userId, role } });
  return { companyId, userId, role, apiKeyId: null, email };
}

beforeAll(async () => {
  database = await openTestDatabase();
  setDatabase(database);
  const seeded = await seedCompany(database.prisma, "Approvers");
  owner = seeded.owner;
  companyId = owner.companyId;
  people.member = await addPerson("member", `member-${suffix}@approvers.test`);
  people.admin = await addPerson("admin", `admin-${suffix}@approvers.test`);
  people.cfo = await addPerson("member", cfoEmail);
  keys = { plain: seeded.key, ops: (await createApiKey(database.prisma, owner, { name: "Ops key" })).key };
  worker = new EmbeddedWorker(database.prisma, { catalog: testCatalog, pollMs: 25 });
  await worker.start();
}, 60_000);
afterAll(async () => {
  await worker.stop();
  await closeDatabase();
});

const json = jsonOf;

/** A fresh run waiting on one approval with these approvers; returns the waitpoint's id and the run's. */
async function waitingApproval(approvers: string[] | undefined, payload: Record<string, unknown> = {}) {
  const config = { message: "Pay the invoice?", timeoutMs: 3_600_000, ...(approvers ? { approvers } : {}) };
  const created = await json(
    await callRoute("POST", "/api/v1/workflows", {
      key: keys.plain,
      body: {
        name: `Approval ${randomBytes(2).toString("hex")}`,
        definition: definition([node("ask", "control.approval", config), node("pay")], ["trigger→ask", "ask:approved→pay"]),
      },
    }),
  );
  await callRoute("POST", `/api/v1/workflows/${created.id}/publish`, { key: keys.plain, body: {} });
  const { run } = await json(await callRoute("POST", `/api/v1/workflows/${created.id}/runs`, { key: keys.plain, body: { payload } }));
  for (let i = 0; i < 500; i++) {
    const detail = await json(await callRoute("GET", `/api/v1/runs/${run.id}`, { key: keys.plain }));
    if (detail.waitpoints?.length) return { waitpointId: detail.waitpoints[0].id as string, runId: run.id as string };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("the run never reached its approval");
}

const asPerson = (caller: Caller, id: string) => runAsCaller(caller, () => decideApprovalAction({ id, approved: true }));
const asKey = (key: string, id: string) => callRoute("POST", `/api/v1/waitpoints/${id}/complete`, { key, body: { approved: true } });

describe("approvers are enforced", () => {
  it("with a list naming one person (by an expression), everyone else is refused with 403: member, admin, owner, API key", async () => {
    const { waitpointId, runId } = await waitingApproval(["{{trigger.payload.cfo}}"], { cfo: cfoEmail.toUpperCase() });
    for (const caller of [people.member, people.admin, owner]) {
      const result = await asPerson(caller, waitpointId);
      expect(result, caller.role).toMatchObject({
        ok: false,
        error: { code: "forbidden", message: "You are not one of this approval's approvers", remediation: expect.stringContaining(cfoEmail.toUpperCase()) },
      });
    }
    const byKey = await asKey(keys.plain, waitpointId);
    expect(byKey.status).toBe(403);
    expect((await json(byKey)).error.message).toMatch(/not one of this approval's approvers/);
    // the same person through the API with their session is refused too
    const bySession = await runAsCaller(people.admin, () => callRoute("POST", `/api/v1/waitpoints/${waitpointId}/complete`, { body: { approved: true } }));
    expect(bySession.status).toBe(403);

    expect(await asPerson(people.cfo, waitpointId)).toMatchObject({ ok: true, data: { decision: "approved" } });
    const waitpoint = await database.prisma.waitpoint.findUniqueOrThrow({ where: { id: waitpointId } });
    expect(waitpoint).toMatchObject({ completedById: people.cfo.userId, result: { approved: true, by: cfoEmail } });
    const audit = await database.prisma.auditLog.findFirstOrThrow({ where: { companyId, action: "approval.approved", targetId: runId } });
    expect(audit).toMatchObject({ actorUserId: people.cfo.userId, metadata: { by: cfoEmail, node: "ask" } });
  });

  it("roles and API keys decide only when the list names them", async () => {
    const { waitpointId } = await waitingApproval(["role:admin", "apikey:Ops key"]);
    expect(await asPerson(people.member, waitpointId)).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await asPerson(people.cfo, waitpointId)).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect((await asKey(keys.plain, waitpointId)).status).toBe(403);
    const byOps = await asKey(keys.ops, waitpointId);
    expect(byOps.status).toBe(200);

    const second = await waitingApproval(["role:admin"]);
    expect((await asKey(keys.ops, second.waitpointId)).status).toBe(403);
    expect(await asPerson(owner, second.waitpointId)).toMatchObject({ ok: true }); // owner ranks above admin

    const third = await waitingApproval(["role:admin"]);
    expect(await asPerson(people.admin, third.waitpointId)).toMatchObject({ ok: true });
  });

  it("without a list anyone in the company decides, API keys included", async () => {
    expect(await asPerson(people.member, (await waitingApproval(undefined)).waitpointId)).toMatchObject({ ok: true });
    expect((await asKey(keys.plain, (await waitingApproval([])).waitpointId)).status).toBe(200);
  });

  it("an expression that resolves to nobody lets nobody decide", async () => {
    const { waitpointId } = await waitingApproval(['{{trigger.payload.missing ?? ""}}']);
    for (const caller of [people.member, people.admin, owner])
      expect(await asPerson(caller, waitpointId)).toMatchObject({ ok: false, error: { code: "forbidden" } });
    // and an approval whose step record is missing is decided by nobody rather than by anyone
    const { runId } = await waitingApproval(undefined);
    const orphan = await database.prisma.waitpoint.create({ data: { runId, nodeId: "elsewhere", kind: "approval" } });
    expect(await asPerson(owner, orphan.id)).toMatchObject({ ok: false, error: { code: "conflict" } });
  });

  it("a signed link is made for a named approver on the list and records who decided", async () => {
    const { waitpointId, runId } = await waitingApproval([cfoEmail, "role:owner"]);
    await expect(approvalLinkToken(database.prisma, owner, waitpointId)).rejects.toMatchObject({
      code: "validation_failed",
      message: `Say which approver the link is for: one of ${cfoEmail}, role:owner`,
    });
    await expect(approvalLinkToken(database.prisma, owner, waitpointId, people.admin.email)).rejects.toMatchObject({ code: "forbidden" });
    await expect(approvalLinkToken(database.prisma, owner, waitpointId, "outsider@elsewhere.test")).rejects.toMatchObject({ code: "forbidden" });
    // an owner may be named: the list has role:owner
    await approvalLinkToken(database.prisma, people.admin, waitpointId, (await database.prisma.user.findUniqueOrThrow({ where: { id: owner.userId! } })).email);
    const token = await approvalLinkToken(database.prisma, people.admin, waitpointId, cfoEmail);
    const decided = await callRoute("POST", `/api/approvals/${waitpointId}`, { body: { token, approved: true } });
    expect(decided.status).toBe(200);
    const waitpoint = await database.prisma.waitpoint.findUniqueOrThrow({ where: { id: waitpointId } });
    expect(waitpoint).toMatchObject({ linkApprover: cfoEmail, completedById: people.cfo.userId, result: { by: `${cfoEmail} (signed link)` } });
    expect(await database.prisma.auditLog.findFirst({ where: { companyId, action: "approval.approved", targetId: runId } })).toMatchObject({
      actorUserId: people.cfo.userId,
    });

    // a list with a single email: the link is for that person without naming them
    const single = await waitingApproval([cfoEmail]);
    await approvalLinkToken(database.prisma, owner, single.waitpointId);
    expect(await database.prisma.waitpoint.findUniqueOrThrow({ where: { id: single.waitpointId } })).toMatchObject({ linkApprover: cfoEmail });
  });
});
