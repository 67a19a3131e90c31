import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, setDatabase } from "@/lib/db";
import { EmbeddedWorker } from "@/lib/workflow/hosts/embedded";
import { approvalLinkToken } from "@/lib/workflow/runs";
import { definition, node } from "@/lib/workflow/test-fixtures";
import type { Caller } from "@/lib/auth/roles";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, jsonOf } from "../support/routes";
import { seedCompany } from "../support/seed";
import { testCatalog } from "../support/test-nodes";

let database: TestDatabase;
let worker: EmbeddedWorker;
let key: string;
let owner: Caller;
beforeAll(async () => {
  database = await openTestDatabase();
  setDatabase(database);
  ({ key, owner } = await seedCompany(database.prisma, "Runs"));
  worker = new EmbeddedWorker(database.prisma, { catalog: testCatalog, pollMs: 25 });
  await worker.start();
}, 60_000);
afterAll(async () => {
  await worker.stop();
  await closeDatabase();
});

const body = jsonOf;

async function publishedWorkflow(def: ReturnType<typeof definition>) {
  const created = await body(await callRoute("POST", "/api/v1/workflows", { key, body: { name: "Runs via API", definition: def } }));
  await callRoute("POST", `/api/v1/workflows/${created.id}/publish`, { key, body: {} });
  return created.id as string;
}

async function until(runId: string, status: string) {
  for (let i = 0; i < 500; i++) {
    const run = await body(await callRoute("GET", `/api/v1/runs/${runId}`, { key }));
    if (run.status === status) return run;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${runId} never became ${status}`);
}

describe("/api/v1 runs", () => {
  it("starts a run, follows it with ETags, lists it with filters", async () => {
    const workflowId = await publishedWorkflow(definition([node("hello", "core.noop", { value: "hi {{trigger.payload.name}}" })], ["trigger→hello"]));
    const started = await callRoute("POST", `/api/v1/workflows/${workflowId}/runs`, { key, body: { payload: { name: "Ada" } } });
    expect(started.status).toBe(202);
    const { run } = await body(started);
    const done = await until(run.id, "succeeded");
    expect(done.steps).toEqual([expect.objectContaining({ nodeId: "hello", attempt: 1, status: "succeeded", output: { value: "hi Ada" } })]);
    expect(done.version).toBe(1);

    const first = await callRoute("GET", `/api/v1/runs/${run.id}`, { key });
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^W\//);
    const again = await callRoute("GET", `/api/v1/runs/${run.id}`, { key, headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);

    const listed = await body(await callRoute("GET", `/api/v1/runs?workflowId=${workflowId}&status=succeeded`, { key }));
    expect(listed.runs.map((r: { id: string }) => r.id)).toEqual([run.id]);
    expect((await body(await callRoute("GET", `/api/v1/runs?workflowId=${workflowId}&status=failed`, { key }))).runs).toEqual([]);
    expect((await callRoute("GET", `/api/v1/runs?status=exploded`, { key })).status).toBe(422);
  });

  it("refuses to start an unpublished workflow unless asked for the draft", async () => {
    const created = await body(
      await callRoute("POST", "/api/v1/workflows", { key, body: { name: "Draft only", definition: definition([node("a")], ["trigger→a"]) } }),
    );
    const refused = await callRoute("POST", `/api/v1/workflows/${created.id}/runs`, { key, body: {} });
    expect(refused.status).toBe(409);
    const draft = await body(await callRoute("POST", `/api/v1/workflows/${created.id}/runs`, { key, body: { version: "draft" } }));
    expect((await until(draft.run.id, "succeeded")).version).toBe("draft");
  });

  it("approves through the API, cancels and replays", async () => {
    const workflowId = await publishedWorkflow(
      definition([node("ask", "control.approval", { message: "Go?", timeoutMs: 60_000 }), node("go")], ["trigger→ask", "ask:approved→go"]),
    );
    const { run } = await body(await callRoute("POST", `/api/v1/workflows/${workflowId}/runs`, { key, body: {} }));
    const waiting = await until(run.id, "waiting");
    const decided = await callRoute("POST", `/api/v1/waitpoints/${waiting.waitpoints[0].id}/complete`, { key, body: { approved: true } });
    expect(await body(decided)).toEqual({ runId: run.id, decision: "approved" });
    await until(run.id, "succeeded");

    const second = (await body(await callRoute("POST", `/api/v1/workflows/${workflowId}/runs`, { key, body: {} }))).run;
    await until(second.id, "waiting");
    expect(await body(await callRoute("POST", `/api/v1/runs/${second.id}/cancel`, { key }))).toMatchObject({ status: "cancelled" });
    expect((await callRoute("POST", `/api/v1/runs/${second.id}/cancel`, { key })).status).toBe(409);
    const replay = await callRoute("POST", `/api/v1/runs/${second.id}/replay`, { key });
    expect(replay.status).toBe(202);
    expect(await until((await body(replay)).id, "waiting")).toMatchObject({ replayOf: second.id });
  });

  it("runs a finished run again on the latest published version, with every step anew", async () => {
    const workflowId = await publishedWorkflow(definition([node("greet", "core.noop", { value: "v1 {{trigger.payload.name}}" })], ["trigger→greet"]));
    const { run } = await body(await callRoute("POST", `/api/v1/workflows/${workflowId}/runs`, { key, body: { payload: { name: "Ada" } } }));
    await until(run.id, "succeeded");
    const fixed = definition([node("greet", "core.noop", { value: "v2 {{trigger.payload.name}}" })], ["trigger→greet"]);
    expect((await callRoute("PATCH", `/api/v1/workflows/${workflowId}`, { key, body: { definition: fixed } })).status).toBe(200);
    await callRoute("POST", `/api/v1/workflows/${workflowId}/publish`, { key, body: {} });

    const rerun = await callRoute("POST", `/api/v1/runs/${run.id}/rerun`, { key });
    expect(rerun.status).toBe(202);
    const again = await until((await body(rerun)).id, "succeeded");
    expect(again).toMatchObject({ version: 2, payload: { name: "Ada" }, replayOf: null });
    expect(again.steps).toEqual([expect.objectContaining({ nodeId: "greet", output: { value: "v2 Ada" } })]);
    expect((await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: again.id } })).correlationId).toBe(run.id);
  });

  it("refuses to run again a run that has not finished", async () => {
    const workflowId = await publishedWorkflow(definition([node("pause", "control.wait", { durationMs: 60_000 })], ["trigger→pause"]));
    const { run } = await body(await callRoute("POST", `/api/v1/workflows/${workflowId}/runs`, { key, body: {} }));
    await until(run.id, "waiting");
    const refused = await callRoute("POST", `/api/v1/runs/${run.id}/rerun`, { key });
    expect(refused.status).toBe(409);
    expect(await body(refused)).toMatchObject({ error: { message: expect.stringMatching(/not finished/) } });
  });

  it("lets a signed single-use link decide an approval without signing in", async () => {
    const workflowId = await publishedWorkflow(
      definition([node("ask", "control.approval", { message: "Sign off?", timeoutMs: 60_000 }), node("no")], ["trigger→ask", "ask:rejected→no"]),
    );
    const { run } = await body(await callRoute("POST", `/api/v1/workflows/${workflowId}/runs`, { key, body: {} }));
    const waitpointId = (await until(run.id, "waiting")).waitpoints[0].id as string;
    const token = await approvalLinkToken(database.prisma, owner, waitpointId);
    expect((await callRoute("POST", `/api/approvals/${waitpointId}`, { body: { token: "x".repeat(32), approved: true } })).status).toBe(404);
    const decided = await callRoute("POST", `/api/approvals/${waitpointId}`, { body: { token, approved: false, comment: "not this month" } });
    expect(decided.status).toBe(200);
    expect((await callRoute("POST", `/api/approvals/${waitpointId}`, { body: { token, approved: true } })).status).toBe(409);
    const done = await until(run.id, "succeeded");
    expect(done.steps.find((s: { nodeId: string }) => s.nodeId === "ask").output).toMatchObject({
      decision: "rejected",
      comment: "not this month",
      decidedBy: "signed link",
    });
  });
});
