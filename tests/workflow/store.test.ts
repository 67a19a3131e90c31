import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { definition, node } from "@/lib/workflow/test-fixtures";
import {
  createWorkflow,
  deleteWorkflow,
  getVersion,
  getWorkflow,
  listVersions,
  listWorkflows,
  publishWorkflow,
  revertDraft,
  setWorkflowEnabled,
  updateWorkflow,
} from "@/lib/workflow/store";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { seedCompany } from "../support/seed";
import { appFailure } from "../support/failure";
import { testCatalog } from "../support/test-nodes";

let database: TestDatabase;
let owner: Caller;
beforeAll(async () => {
  database = await openTestDatabase();
  ({ owner } = await seedCompany(database.prisma, "Store"));
}, 60_000);
afterAll(async () => {
  await database.close();
});

const twoSteps = (text: string) =>
  definition([node("a", "core.noop", { value: text }), node("b", "core.noop", { value: "{{step.a.output.value}}" })], ["trigger→a", "a→b"]);
const unfinishedIf = definition([node("check", "control.if", {})], ["trigger→check"]);

describe("workflow drafts", () => {
  it("creates with an empty draft and lists it", async () => {
    const created = await createWorkflow(database.prisma, testCatalog, owner, { name: "Empty" });
    expect(created).toMatchObject({ name: "Empty", publishedVersion: null, enabled: false, hasUnpublishedChanges: true, problems: [] });
    const { workflows } = await listWorkflows(database.prisma, owner);
    expect(workflows.map((w) => w.id)).toContain(created.id);
  });

  it("keeps an unfinished draft, reporting the missing field as a warning", async () => {
    const created = await createWorkflow(database.prisma, testCatalog, owner, { name: "Unfinished", definition: unfinishedIf });
    expect(created.problems).toEqual([expect.objectContaining({ severity: "warning", code: "config_missing_field", nodeId: "check" })]);
  });

  it("refuses a broken draft with every problem and where it is", async () => {
    const broken = definition([node("a"), node("a"), node("c", "no.such.type")], ["trigger→a", "a→ghost"]);
    const error = await appFailure(createWorkflow(database.prisma, testCatalog, owner, { name: "Broken", definition: broken }));
    expect(error.status).toBe(422);
    const codes = error.issues!.map((i) => i.code);
    expect(codes).toEqual(expect.arrayContaining(["duplicate_node_id", "unknown_node_type", "unknown_edge_endpoint"]));
    expect(error.issues!.every((i) => i.path[0] === "definition")).toBe(true);
  });

  it("refuses a save based on an old revision instead of losing the other edit", async () => {
    const created = await createWorkflow(database.prisma, testCatalog, owner, { name: "Contended", definition: twoSteps("v1") });
    const first = await updateWorkflow(database.prisma, testCatalog, owner, created.id, { definition: twoSteps("mine"), baseRevision: created.revision });
    const second = await appFailure(
      updateWorkflow(database.prisma, testCatalog, owner, created.id, { definition: twoSteps("theirs"), baseRevision: created.revision }),
    );
    expect(second.code).toBe("conflict");
    expect((await getWorkflow(database.prisma, testCatalog, owner, created.id)).draft.nodes[0]!.config).toMatchObject({ value: "mine" });
    expect(first.revision).not.toBe(created.revision);
  });

  it("lets members read but not change", async () => {
    const member = { ...owner, role: "member" as const };
    expect((await appFailure(createWorkflow(database.prisma, testCatalog, member, { name: "Nope" }))).code).toBe("forbidden");
    expect((await listWorkflows(database.prisma, member)).workflows.length).toBeGreaterThan(0);
  });

  it("pages through the list with a cursor", async () => {
    for (let i = 0; i < 5; i++) await createWorkflow(database.prisma, testCatalog, owner, { name: `Paged ${i}` });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listWorkflows(database.prisma, owner, { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.workflows.length).toBeLessThanOrEqual(2);
      seen.push(...page.workflows.map((w) => w.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(await database.prisma.workflow.count({ where: { companyId: owner.companyId, deletedAt: null } }));
  });
});

describe("publishing and versions", () => {
  it("refuses to publish while a required field is missing", async () => {
    const created = await createWorkflow(database.prisma, testCatalog, owner, { name: "Not ready", definition: unfinishedIf });
    const error = await appFailure(publishWorkflow(database.prisma, testCatalog, owner, created.id));
    expect(error.status).toBe(422);
    expect(error.issues).toEqual([expect.objectContaining({ severity: "error", code: "config_missing_field", nodeId: "check" })]);
    expect((await getWorkflow(database.prisma, testCatalog, owner, created.id)).publishedVersion).toBeNull();
  });

  it("publishes numbered immutable versions, skips unchanged publishes, reverts and diffs the draft", async () => {
    const created = await createWorkflow(database.prisma, testCatalog, owner, { name: "Versioned", definition: twoSteps("one") });
    expect((await publishWorkflow(database.prisma, testCatalog, owner, created.id)).version).toBe(1);
    const again = await publishWorkflow(database.prisma, testCatalog, owner, created.id);
    expect(again).toMatchObject({ version: 1, created: false });

    const edited = definition([node("a", "core.noop", { value: "two" }), node("c")], ["trigger→a", "a→c"]);
    const draft = await updateWorkflow(database.prisma, testCatalog, owner, created.id, { definition: edited });
    expect(draft.changes).toEqual({ added: ["c"], removed: ["b"], changed: ["a"], triggerChanged: false });
    expect(draft.hasUnpublishedChanges).toBe(true);
    expect((await publishWorkflow(database.prisma, testCatalog, owner, created.id)).version).toBe(2);

    expect((await listVersions(database.prisma, owner, created.id)).map((v) => [v.number, v.published])).toEqual([
      [2, true],
      [1, false],
    ]);
    expect((await getVersion(database.prisma, testCatalog, owner, created.id, 1)).definition.nodes.map((n) => n.id)).toEqual(["a", "b"]);

    const reverted = await revertDraft(database.prisma, testCatalog, owner, created.id, { version: 1 });
    expect(reverted.draft.nodes.map((n) => n.id)).toEqual(["a", "b"]);
    expect(reverted.publishedVersion).toBe(2);
  });

  it("enables only a published workflow, and deleting hides it", async () => {
    const created = await createWorkflow(database.prisma, testCatalog, owner, { name: "Switch", definition: twoSteps("x") });
    expect((await appFailure(setWorkflowEnabled(database.prisma, testCatalog, owner, created.id, true))).code).toBe("conflict");
    await publishWorkflow(database.prisma, testCatalog, owner, created.id);
    expect((await setWorkflowEnabled(database.prisma, testCatalog, owner, created.id, true)).enabled).toBe(true);
    await deleteWorkflow(database.prisma, owner, created.id);
    expect((await appFailure(getWorkflow(database.prisma, testCatalog, owner, created.id))).code).toBe("not_found");
  });

  it("gives concurrent publishes distinct consecutive numbers and loses none", async () => {
    const created = await createWorkflow(database.prisma, testCatalog, owner, { name: "Raced", definition: twoSteps("start") });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => publishWorkflow(database.prisma, testCatalog, owner, created.id, { definition: twoSteps(`racer ${i}`) })),
    );
    const numbers = results.map((r) => r.version).sort((x, y) => x - y);
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const latest = results.find((r) => r.version === 8)!;
    const workflow = await getWorkflow(database.prisma, testCatalog, owner, created.id);
    expect(workflow.publishedVersion).toBe(8);
    expect(workflow.draft).toEqual(latest.workflow.draft);
  });
});
