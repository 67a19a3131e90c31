import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { closeDatabase, setDatabase } from "@/lib/db";
import { setCompanyPolicy } from "@/lib/workflow/policy-settings";
import { startRun } from "@/lib/workflow/runs";
import { createWorkflow, deleteWorkflow, publishWorkflow, updateWorkflow } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { appFailure } from "../support/failure";
import { seedCompany } from "../support/seed";
import { testCatalog } from "../support/test-nodes";

// Starts go through a per-process cache of their workflow's facts and a shared multi-row insert
// (lib/workflow/starts.ts). No worker runs here: what is checked is what the starts wrote.

let database: TestDatabase;
let owner: Caller;
beforeAll(async () => {
  database = await openTestDatabase();
  setDatabase(database);
  ({ owner } = await seedCompany(database.prisma, "Starts"));
}, 60_000);
afterAll(async () => {
  await closeDatabase();
});

const oneStep = (value: string) => definition([node("a", "core.noop", { value })], ["trigger→a"]);

async function published(name: string) {
  const workflow = await createWorkflow(database.prisma, testCatalog, owner, { name, definition: oneStep("v1") });
  await publishWorkflow(database.prisma, testCatalog, owner, workflow.id);
  return workflow.id;
}

describe("starting runs", () => {
  it("makes one run for concurrent starts with the same idempotency key, also inside one shared insert", async () => {
    const workflowId = await published("Same key");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => startRun(database.prisma, testCatalog, owner, workflowId, { idempotencyKey: "order-1", payload: { i } })),
    );
    expect(new Set(results.map((r) => r.run.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await database.prisma.workflowRun.count({ where: { workflowId } })).toBe(1);
    // and a later start with the key returns the same run
    const again = await startRun(database.prisma, testCatalog, owner, workflowId, { idempotencyKey: "order-1" });
    expect(again).toMatchObject({ created: false, run: { id: results[0]!.run.id, status: "queued" } });
  });

  it("inserts concurrent starts together, each with its own row and payload", async () => {
    const workflowId = await published("Together");
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => startRun(database.prisma, testCatalog, owner, workflowId, { payload: { i } })));
    expect(results.every((r) => r.created && r.run.status === "queued" && r.run.version === 1)).toBe(true);
    const runs = await database.prisma.workflowRun.findMany({ where: { workflowId }, select: { id: true, triggerPayload: true, createdAt: true } });
    expect(runs.map((r) => (r.triggerPayload as { i: number }).i).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(new Set(runs.map((r) => r.id))).toEqual(new Set(results.map((r) => r.run.id)));
    // one statement, one transaction: rows of one insert share its timestamp
    expect(new Set(runs.map((r) => r.createdAt.getTime())).size).toBeLessThan(50);
  });

  it("never starts on stale facts: a new version, a rename, a policy change and a delete all take effect at once", async () => {
    const workflowId = await published("Changing");
    const first = await startRun(database.prisma, testCatalog, owner, workflowId, {});
    expect(first.run).toMatchObject({ version: 1, workflowName: "Changing" });

    await updateWorkflow(database.prisma, testCatalog, owner, workflowId, { name: "Renamed", definition: oneStep("v2") });
    await publishWorkflow(database.prisma, testCatalog, owner, workflowId);
    const second = await startRun(database.prisma, testCatalog, owner, workflowId, {});
    expect(second.run).toMatchObject({ version: 2, workflowName: "Renamed" });
    const row = await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: second.run.id }, select: { version: { select: { number: true } } } });
    expect(row.version?.number).toBe(2);

    // as another process would change it: straight in the database, no cache told
    await database.prisma.workflow.update({ where: { id: workflowId }, data: { name: "Changed elsewhere" } });
    expect((await startRun(database.prisma, testCatalog, owner, workflowId, {})).run.workflowName).toBe("Changed elsewhere");

    await setCompanyPolicy(database.prisma, testCatalog, owner, { blockedProviders: ["slack"], blockedActions: [] });
    const third = await startRun(database.prisma, testCatalog, owner, workflowId, {});
    const stored = await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: third.run.id }, select: { policy: true } });
    expect(stored.policy).toMatchObject({ company: { blockedProviders: ["slack"] } });
    await setCompanyPolicy(database.prisma, testCatalog, owner, { blockedProviders: [], blockedActions: [] });

    await deleteWorkflow(database.prisma, owner, workflowId);
    expect((await appFailure(startRun(database.prisma, testCatalog, owner, workflowId, {}))).code).toBe("not_found");
  });

  it("fails only the start the database refuses when it shares an insert with others", async () => {
    const workflowId = await published("One bad");
    const ghost: Caller = { ...owner, userId: "no-such-user" }; // violates the startedBy foreign key
    const results = await Promise.allSettled([
      startRun(database.prisma, testCatalog, owner, workflowId, { payload: { n: 1 } }),
      startRun(database.prisma, testCatalog, ghost, workflowId, { payload: { n: 2 } }),
      startRun(database.prisma, testCatalog, owner, workflowId, { payload: { n: 3 } }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await database.prisma.workflowRun.count({ where: { workflowId } })).toBe(2);
  });

  it("keeps workflows of another company out of reach, cached or not", async () => {
    const workflowId = await published("Mine");
    await startRun(database.prisma, testCatalog, owner, workflowId, {});
    const { owner: stranger } = await seedCompany(database.prisma, "Stranger");
    expect((await appFailure(startRun(database.prisma, testCatalog, stranger, workflowId, {}))).code).toBe("not_found");
  });
});
