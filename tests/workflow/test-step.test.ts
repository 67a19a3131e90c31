import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAsCaller } from "@/lib/auth/session";
import type { Caller } from "@/lib/auth/roles";
import { closeDatabase, setDatabase } from "@/lib/db";
import { EmbeddedWorker } from "@/lib/workflow/hosts/embedded";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { testStepAction } from "@/app/(app)/workflows/actions";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, jsonOf } from "../support/routes";
import { seedCompany } from "../support/seed";
import { testCatalog } from "../support/test-nodes";

// POST /api/v1/workflows/{id}/test-step: one step with the config sent, against the latest run's data.

let database: TestDatabase;
let worker: EmbeddedWorker;
let key: string;
let otherKey: string;
let owner: Caller;
beforeAll(async () => {
  database = await openTestDatabase();
  setDatabase(database);
  ({ key, owner } = await seedCompany(database.prisma, "Tests steps"));
  ({ key: otherKey } = await seedCompany(database.prisma, "Someone else"));
  worker = new EmbeddedWorker(database.prisma, { catalog: testCatalog, pollMs: 25 });
  await worker.start();
}, 60_000);
afterAll(async () => {
  await worker.stop();
  await closeDatabase();
});

const body = jsonOf;

const flow = definition(
  [node("fetch", "core.noop", { value: { total: "{{trigger.payload.amount}}" } }), node("post", "slack.send_message", { channel: "#ops", text: "x" })],
  ["trigger→fetch", "fetch→post"],
);

async function workflowWithRun(): Promise<string> {
  const created = await body(await callRoute("POST", "/api/v1/workflows", { key, body: { name: "Test a step", definition: flow } }));
  // A draft test run whose first step records an output the tested step can read.
  const started = await body(
    await callRoute("POST", `/api/v1/workflows/${created.id}/runs`, {
      key,
      body: { version: "draft", dryRun: true, payload: { amount: 1500, who: "Ada" } },
    }),
  );
  for (let i = 0; i < 500; i++) {
    const run = await body(await callRoute("GET", `/api/v1/runs/${started.run.id}`, { key }));
    if (run.status === "succeeded" || run.status === "failed") break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return created.id as string;
}

const testStep = (workflowId: string, payload: unknown, apiKey = key) =>
  callRoute("POST", `/api/v1/workflows/${workflowId}/test-step`, { key: apiKey, body: payload });

describe("test a step", () => {
  let workflowId: string;
  beforeAll(async () => {
    workflowId = await workflowWithRun();
  }, 60_000);

  it("runs a step without effects with its unsaved config against the latest run's payload and outputs", async () => {
    const response = await testStep(workflowId, {
      node: node("check", "core.noop", { value: "{{trigger.payload.who}} asked for {{step.fetch.output.value.total}}" }),
    });
    expect(response.status).toBe(200);
    const result = await body(response);
    expect(result).toMatchObject({
      mode: "live",
      status: "succeeded",
      input: { value: "Ada asked for 1500" },
      output: { value: "Ada asked for 1500" },
      error: null,
      data: { kind: "run" },
    });
  });

  it("shows a step with effects as its dry-run preview by default, sending nothing", async () => {
    const result = await body(
      await testStep(workflowId, { node: node("post", "slack.send_message", { channel: "#ops", text: "Total {{step.fetch.output.value.total}}" }) }),
    );
    expect(result).toMatchObject({ mode: "preview", status: "succeeded", input: { channel: "#ops", text: "Total 1500" }, output: { channel: "#ops" } });
    expect(await database.prisma.auditLog.count({ where: { action: "workflow.step_tested" } })).toBe(0);
  });

  it("answers a bad path with the error a run would record, and its remediation", async () => {
    const result = await body(await testStep(workflowId, { node: node("check", "core.noop", { value: "{{step.fetch.output.nope}}" }) }));
    expect(result).toMatchObject({
      status: "failed",
      input: null,
      error: { code: "E_TEMPLATE", message: expect.stringContaining('has no "nope"'), remediation: expect.stringContaining("fallback") },
    });
  });

  it("checks the resolved config against the step's schema", async () => {
    const result = await body(await testStep(workflowId, { node: node("post", "slack.send_message", { text: "no channel" }) }));
    expect(result).toMatchObject({ status: "failed", error: { code: "E_VALIDATION", message: expect.stringContaining("channel") } });
  });

  it("uses the trigger's sample payload before the workflow has run, and evaluates an IF's condition", async () => {
    const created = await body(await callRoute("POST", "/api/v1/workflows", { key, body: { name: "Never ran", definition: flow } }));
    const result = await body(
      await testStep(created.id, { node: node("gate", "control.if", { condition: { op: "gt", left: "{{trigger.payload.nothing ?? 3}}", right: 1 } }) }),
    );
    expect(result).toMatchObject({ status: "succeeded", data: { kind: "sample" }, input: { condition: { left: 3 } }, output: { result: true } });
    const wait = await body(await testStep(created.id, { node: node("pause", "control.wait", { durationMs: 60_000 }) }));
    expect(wait).toMatchObject({ status: "succeeded", output: null, note: expect.stringContaining("inside a run") });
  });

  it("refuses bad input with a 4xx that says where", async () => {
    const missing = await testStep(workflowId, {});
    expect(missing.status).toBe(422);
    expect(JSON.stringify(await body(missing))).toContain("node");
    const unknown = await testStep(workflowId, { node: node("x", "nope.nothing") });
    expect(unknown.status).toBe(400);
    expect((await body(unknown)).error.message).toContain("nope.nothing");
  });

  it("is not found for another company, and a member may not test steps", async () => {
    const response = await testStep(workflowId, { node: node("check", "core.noop", { value: "{{trigger.payload.who}}" }) }, otherKey);
    expect(response.status).toBe(404);
    expect(JSON.stringify(await body(response))).not.toContain("Ada");
    const asMember = await runAsCaller({ ...owner, role: "member" }, () => testStepAction({ id: workflowId, node: node("check", "core.noop") }));
    expect(asMember, JSON.stringify(asMember)).toMatchObject({ ok: false, error: { code: "forbidden" } });
  });
});
