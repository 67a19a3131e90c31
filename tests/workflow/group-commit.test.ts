import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { closeDatabase, setDatabase } from "@/lib/db";
import { advanceClaimedRun } from "@/lib/workflow/engine/interpreter";
import { startRun } from "@/lib/workflow/runs";
import { createWorkflow, publishWorkflow } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { seedCompany } from "../support/seed";
import { testCatalog } from "../support/test-nodes";

// Runs that end at the same moment share one statement (lib/db/group-commit.ts, the journal's
// closeTogether). Each still ends on its own terms: a run that is no longer ours stays unfinished,
// and the others finish.

let database: TestDatabase;
let owner: Caller;
beforeAll(async () => {
  database = await openTestDatabase();
  setDatabase(database);
  ({ owner } = await seedCompany(database.prisma, "Group"));
}, 60_000);
afterAll(async () => {
  await closeDatabase();
});

async function claimedRuns(count: number) {
  const workflow = await createWorkflow(database.prisma, testCatalog, owner, {
    name: `Ends together ${Date.now()}`,
    definition: definition([node("a", "core.noop", { value: 1 })], ["trigger→a"]),
  });
  await publishWorkflow(database.prisma, testCatalog, owner, workflow.id);
  const ids = await Promise.all(Array.from({ length: count }, async () => (await startRun(database.prisma, testCatalog, owner, workflow.id, {})).run.id));
  await database.prisma.workflowRun.updateMany({ where: { id: { in: ids } }, data: { status: "running", leaseOwner: "worker-a", startedAt: new Date() } });
  const rows = await database.prisma.workflowRun.findMany({ where: { id: { in: ids } } });
  return ids.map((id) => rows.find((r) => r.id === id)!);
}

const advance = (run: Awaited<ReturnType<typeof claimedRuns>>[number]) =>
  advanceClaimedRun(database.prisma, run, [], { catalog: testCatalog, leaseOwner: "worker-a" });
const statuses = async (ids: string[]) =>
  (await database.prisma.workflowRun.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } })).reduce<Record<string, string>>(
    (all, r) => ({ ...all, [r.id]: r.status }),
    {},
  );

describe("runs ending together", () => {
  it("finish each in a shared statement, and one whose lease another worker took stays that worker's", async () => {
    const runs = await claimedRuns(6);
    const stolen = runs[2]!;
    await database.prisma.workflowRun.update({ where: { id: stolen.id }, data: { leaseOwner: "worker-b" } });
    const results = await Promise.all(runs.map(advance));
    expect(results.map((r) => r.kind)).toEqual(["finished", "finished", "lost", "finished", "finished", "finished"]);
    const now = await statuses(runs.map((r) => r.id));
    expect(runs.map((r) => now[r.id])).toEqual(["succeeded", "succeeded", "running", "succeeded", "succeeded", "succeeded"]);
  });

  it("still finish the others when one's record was already written by another worker (the statement is refused, then each goes alone)", async () => {
    const runs = await claimedRuns(5);
    const taken = runs[1]!;
    // another worker recorded this run's step first: our insert of the same attempt violates the unique key
    await database.prisma.workflowRunStep.create({ data: { runId: taken.id, nodeId: "a", status: "running", attempt: 1, seq: 1 } });
    const results = await Promise.all(runs.map(advance));
    expect(results.map((r) => r.kind)).toEqual(["finished", "lost", "finished", "finished", "finished"]);
    const now = await statuses(runs.map((r) => r.id));
    expect(runs.map((r) => now[r.id])).toEqual(["succeeded", "running", "succeeded", "succeeded", "succeeded"]);
    expect(await database.prisma.workflowRunStep.count({ where: { runId: taken.id } })).toBe(1);
  });
});
