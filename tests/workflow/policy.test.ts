import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { closeDatabase, setDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { takeEvent } from "@/lib/triggers/intake";
import { EmbeddedWorker } from "@/lib/workflow/hosts/embedded";
import { getPolicySettings, setCompanyPolicy, setWorkflowPolicy } from "@/lib/workflow/policy-settings";
import { replayRun } from "@/lib/workflow/runs";
import { createWorkflow, publishWorkflow, setWorkflowEnabled } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, jsonOf } from "../support/routes";
import { seedCompany } from "../support/seed";
import { testCatalog } from "../support/test-nodes";

// Settings > Policy and what it does: publish warnings, the snapshot a run is created with (by
// the run service and by the trigger intake), E_POLICY_BLOCKED, replay under the current policy.
// The scenario suite (scenarios.ts) also checks the snapshot on both hosts.

let database: TestDatabase;
let owner: Caller;
let member: Caller;
let key: string;
let worker: EmbeddedWorker;
beforeAll(async () => {
  database = await openTestDatabase();
  setDatabase(database);
  const seeded = await seedCompany(database.prisma, "Policy");
  ({ owner, key } = seeded);
  member = { companyId: owner.companyId, userId: seeded.ids.memberUserId, role: "member", apiKeyId: null };
  worker = new EmbeddedWorker(database.prisma, { catalog: testCatalog, pollMs: 25 });
  await worker.start();
}, 60_000);
afterAll(async () => {
  await worker.stop();
  await closeDatabase();
});
afterEach(async () => {
  await setCompanyPolicy(database.prisma, testCatalog, owner, { blockedProviders: [], blockedActions: [] });
});

const body = jsonOf;

async function until(runId: string) {
  for (let i = 0; i < 500; i++) {
    const run = await body(await callRoute("GET", `/api/v1/runs/${runId}`, { key }));
    if (["succeeded", "failed", "cancelled"].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${runId} did not finish`);
}

const counting = () =>
  definition([node("first", "core.noop", { value: 1 }), node("count", "test.count", { key: `c${Date.now()}` })], ["trigger→first", "first→count"]);

describe("Settings > Policy", () => {
  it("lists every governed provider with its actions, allowing everything by default", async () => {
    const settings = await getPolicySettings(database.prisma, testCatalog, owner);
    expect(settings.company).toEqual({ blockedProviders: [], blockedActions: [] });
    const categories = settings.groups.map((g) => g.category);
    expect(categories).toEqual(expect.arrayContaining(["core", "test", "slack", "fattureincloud", "resend"]));
    expect(categories).not.toContain("control");
    expect(settings.groups.find((g) => g.category === "slack")!.actions.map((a) => a.type)).toContain("slack.send_message");
  });

  it("refuses names the catalog does not have, each at its place, and members", async () => {
    const refused = await setCompanyPolicy(database.prisma, testCatalog, owner, { blockedProviders: ["slack", "nope"], blockedActions: ["slack.fly"] }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).options.issues).toEqual([
      { path: ["blockedProviders", 1], message: '"nope" is neither a provider nor an action of the catalog' },
      { path: ["blockedActions", 0], message: '"slack.fly" is neither a provider nor an action of the catalog' },
    ]);
    await expect(setCompanyPolicy(database.prisma, testCatalog, member, { blockedProviders: [] })).rejects.toMatchObject({ code: "forbidden" });
    await expect(getPolicySettings(database.prisma, testCatalog, member)).rejects.toMatchObject({ code: "forbidden" });
  });

  it("records each change in the audit log", async () => {
    await setCompanyPolicy(database.prisma, testCatalog, owner, { blockedProviders: ["slack"], blockedActions: ["resend.send_email"] });
    const workflow = await createWorkflow(database.prisma, testCatalog, owner, { name: `allowlisted ${Date.now()}`, definition: counting() });
    await setWorkflowPolicy(database.prisma, testCatalog, owner, { workflowId: workflow.id, policy: { allow: ["core"] } });
    const latest = async (action: string) =>
      (await body(await callRoute("GET", `/api/v1/audit?action=${action}&limit=1`, { key }))).entries.map((e: { summary: string }) => e.summary);
    expect(await latest("policy.changed")).toEqual(["Blocked: nothing → slack, resend.send_email"]);
    expect(await latest("workflow.policy_changed")).toEqual(["the company's policy → only core"]);
  });
});

describe("what the policy does", () => {
  it("publish warns about the nodes the policy blocks, and publishes anyway", async () => {
    await setCompanyPolicy(database.prisma, testCatalog, owner, { blockedProviders: [], blockedActions: ["slack.send_message"] });
    const posting = definition(
      [node("first", "core.noop", { value: 1 }), node("post", "slack.send_message", { channel: "#general", text: "hi" })],
      ["trigger→first", "first→post"],
    );
    const created = await body(await callRoute("POST", "/api/v1/workflows", { key, body: { name: "Warned", definition: posting } }));
    // The check before publishing (the editor's publish review) says it first.
    const checked = await body(await callRoute("POST", `/api/v1/workflows/${created.id}/validate`, { key, body: { mode: "strict" } }));
    expect(checked).toMatchObject({ valid: true });
    expect(checked.problems).toEqual(expect.arrayContaining([expect.objectContaining({ code: "policy_blocked", nodeId: "post" })]));
    const published = await callRoute("POST", `/api/v1/workflows/${created.id}/publish`, { key, body: {} });
    expect(published.status).toBe(200);
    const answer = await body(published);
    expect(answer).toMatchObject({ version: 1, created: true });
    expect(answer.warnings).toEqual([
      {
        severity: "warning",
        code: "policy_blocked",
        nodeId: "post",
        path: ["nodes", 1, "type"],
        message: '"post" will fail: the company blocks slack.send_message. An admin can allow slack.send_message in Settings > Policy',
      },
    ]);
  });

  it("snapshots the policy where each run is created, shows it on the run, and fails the blocked step", async () => {
    const workflow = await createWorkflow(database.prisma, testCatalog, owner, { name: `snapshot ${Date.now()}`, definition: counting() });
    await publishWorkflow(database.prisma, testCatalog, owner, workflow.id);
    await setWorkflowPolicy(database.prisma, testCatalog, owner, { workflowId: workflow.id, policy: { allow: ["core", "slack"] } });
    const { run } = await body(await callRoute("POST", `/api/v1/workflows/${workflow.id}/runs`, { key, body: {} }));
    const finished = await until(run.id);
    expect(finished.policy).toEqual({ company: { blockedProviders: [], blockedActions: [] }, workflow: { allow: ["core", "slack"] } });
    expect(finished).toMatchObject({
      status: "failed",
      error: { code: "E_POLICY_BLOCKED", remediation: "An admin can allow test.count in Settings > Policy" },
    });
    expect(finished.steps.map((s: { nodeId: string; status: string }) => `${s.nodeId}:${s.status}`)).toEqual(["first:succeeded", "count:failed"]);
    expect(finished.steps[1].error.message).toBe('The policy does not allow "Count" (test.count): test.count is not on this workflow\'s allowlist');

    // Allowing it and replaying: the replay is a new start, under the policy in force now.
    await setWorkflowPolicy(database.prisma, testCatalog, owner, { workflowId: workflow.id, policy: { allow: ["core", "test"] } });
    const replay = await replayRun(database.prisma, owner, run.id);
    const replayed = await until(replay.id);
    expect(replayed.status).toBe("succeeded");
    expect(replayed.policy.workflow).toEqual({ allow: ["core", "test"] });
  });

  it("applies to runs an event starts through the intake", async () => {
    const def = { ...counting(), trigger: { type: "document.completed", config: {} } };
    const workflow = await createWorkflow(database.prisma, testCatalog, owner, { name: `event ${Date.now()}`, definition: def });
    await publishWorkflow(database.prisma, testCatalog, owner, workflow.id);
    await setWorkflowEnabled(database.prisma, testCatalog, owner, workflow.id, true);
    await setCompanyPolicy(database.prisma, testCatalog, owner, { blockedProviders: ["test"], blockedActions: [] });
    const { runIds } = await takeEvent(database.prisma, testCatalog, {
      companyId: owner.companyId,
      triggerType: "document.completed",
      source: "test",
      externalId: `doc-${Date.now()}`,
      payload: { documentId: "d1", title: "Contract", folder: null, completedAt: new Date().toISOString(), signers: [] },
      workflowId: workflow.id,
    });
    expect(runIds).toHaveLength(1);
    const finished = await until(runIds[0]!);
    expect(finished.policy.company.blockedProviders).toEqual(["test"]);
    expect(finished.error).toMatchObject({ code: "E_POLICY_BLOCKED" });
    expect(finished.steps[1].error.message).toContain("the company blocks every test action");
  });
});
