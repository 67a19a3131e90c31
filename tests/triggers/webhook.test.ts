import { createHmac, randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog } from "@/lib/catalog";
import { closeDatabase, setDatabase } from "@/lib/db";
import { rotateWebhookSecret } from "@/lib/triggers/webhook";
import { EmbeddedWorker } from "@/lib/workflow/hosts/embedded";
import { createWorkflow, publishWorkflow, setWorkflowEnabled } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { callRoute } from "../support/routes";
import { seedCompany } from "../support/seed";

// Signed webhooks end to end: the route handler, the intake, the real worker, on the test's
// database. Every refusal is a 4xx with no run, and shows in the trigger history.

let database: TestDatabase;
let owner: Awaited<ReturnType<typeof seedCompany>>["owner"];
let key: string;
let worker: EmbeddedWorker;

beforeAll(async () => {
  database = await openTestDatabase();
  setDatabase(database);
  ({ owner, key } = await seedCompany(database.prisma, "Hooks"));
  worker = new EmbeddedWorker(database.prisma, { catalog, pollMs: 25 });
  await worker.start();
}, 60_000);
afterAll(async () => {
  await worker.stop();
  await closeDatabase();
});

async function webhookWorkflow(config: Record<string, unknown> = {}) {
  const def = { ...definition([node("echo", "core.noop", { value: "{{trigger.payload.body}}" })], ["trigger→echo"]), trigger: { type: "webhook", config } };
  const workflow = await createWorkflow(database.prisma, catalog, owner, { name: `hook ${randomBytes(3).toString("hex")}`, definition: def });
  await publishWorkflow(database.prisma, catalog, owner, workflow.id);
  await setWorkflowEnabled(database.prisma, catalog, owner, workflow.id, true);
  const { secret } = await rotateWebhookSecret(database.prisma, owner, workflow.id);
  return { id: workflow.id, secret };
}

function signed(secret: string, body: string, options: { id?: string; at?: Date } = {}) {
  const id = options.id ?? `msg_${randomBytes(6).toString("hex")}`;
  const at = options.at ?? new Date();
  return { "webhook-id": id, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": new Webhook(secret).sign(id, at, body) };
}

const post = (id: string, body: string, headers: Record<string, string>) => callRoute("POST", `/api/hooks/${id}`, { rawBody: body, headers });

async function runsOf(workflowId: string) {
  return database.prisma.workflowRun.findMany({ where: { workflowId }, include: { steps: true } });
}

async function finished(runId: string) {
  for (let i = 0; i < 200; i++) {
    const run = await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { steps: true } });
    if (run.status === "succeeded" || run.status === "failed") return run;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("run did not finish");
}

describe("signed webhook", () => {
  it("starts one run with the body as payload, answers 202 with the run id, and a redelivery starts none", async () => {
    const hook = await webhookWorkflow();
    const body = JSON.stringify({ order: "A-1", amount: 1200 });
    const headers = signed(hook.secret, body);
    const response = await post(hook.id, body, headers);
    expect(response.status).toBe(202);
    const answer = (await response.json()) as { runIds: string[]; duplicate: boolean };
    expect(answer.runIds).toHaveLength(1);
    const run = await finished(answer.runIds[0]!);
    expect(run.status).toBe("succeeded");
    expect(run.triggerType).toBe("webhook");
    expect(run.steps[0]?.output).toEqual({ value: { order: "A-1", amount: 1200 } });
    expect((run.triggerPayload as { headers: Record<string, string> }).headers["webhook-signature"]).toBeUndefined();

    const again = await post(hook.id, body, headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true, runIds: answer.runIds });
    expect(await runsOf(hook.id)).toHaveLength(1);
  });

  it("the same delivery twenty times at once starts exactly one run", async () => {
    const hook = await webhookWorkflow();
    const body = JSON.stringify({ n: 1 });
    const headers = signed(hook.secret, body);
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(hook.id, body, headers)));
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(19).fill(200), 202].sort());
    expect(await runsOf(hook.id)).toHaveLength(1);
  });

  it("calls to several workflows at once, read in one statement, each reach their own workflow and are checked with its own secret", async () => {
    const [a, b] = [await webhookWorkflow(), await webhookWorkflow()];
    const body = (to: string) => JSON.stringify({ to });
    const answers = await Promise.all([
      post(a.id, body("a"), signed(a.secret, body("a"))),
      post(b.id, body("b"), signed(b.secret, body("b"))),
      post(a.id, body("a with b's secret"), signed(b.secret, body("a with b's secret"))),
      post("no_such_workflow", body("nobody"), signed(a.secret, body("nobody"))),
      post(b.id, body("b again"), signed(b.secret, body("b again"))),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 401, 404, 202]);
    const payloads = async (id: string) => (await runsOf(id)).map((run) => (run.triggerPayload as { body: { to: string } }).body.to).sort();
    expect(await payloads(a.id)).toEqual(["a"]);
    expect(await payloads(b.id)).toEqual(["b", "b again"]);
  });

  it("refuses forged, stale, future, tampered, unsigned and wrong-secret calls with no run, and records each with its reason", async () => {
    const hook = await webhookWorkflow();
    const body = JSON.stringify({ pay: 10 });
    const other = `whsec_${randomBytes(32).toString("base64")}`;
    const minutes = (n: number) => new Date(Date.now() + n * 60_000);
    const cases: [string, Record<string, string>, string, number][] = [
      ["forged", { ...signed(hook.secret, body), "webhook-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }, body, 401],
      ["stale", signed(hook.secret, body, { at: minutes(-6) }), body, 401],
      ["future", signed(hook.secret, body, { at: minutes(6) }), body, 401],
      ["tampered", signed(hook.secret, body), JSON.stringify({ pay: 10_000 }), 401],
      ["unsigned", {}, body, 400],
      ["wrong secret", signed(other, body), body, 401],
    ];
    for (const [label, headers, sent, status] of cases) {
      const response = await post(hook.id, sent, headers);
      expect({ label, status: response.status }).toEqual({ label, status });
      expect(((await response.json()) as { error: { message: string } }).error.message.length).toBeGreaterThan(10);
    }
    expect(await runsOf(hook.id)).toHaveLength(0);
    const history = await callRoute("GET", `/api/v1/workflows/${hook.id}/trigger/events?limit=50`, { key });
    const { events } = (await history.json()) as { events: { status: string; reason: string }[] };
    expect(events).toHaveLength(cases.length);
    expect(events.every((e) => e.status === "rejected" && e.reason)).toBe(true);
    expect(events.map((e) => e.reason)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/5 minutes/),
        expect.stringMatching(/signature does not match/),
        expect.stringMatching(/Missing webhook-id/),
      ]),
    );
  });

  it("after rotation, the previous secret keeps working for the grace period, and the new one works at once", async () => {
    const hook = await webhookWorkflow();
    const { secret: fresh, previousValidUntil } = await rotateWebhookSecret(database.prisma, owner, hook.id);
    expect(new Date(previousValidUntil!).getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    const body = "{}";
    expect((await post(hook.id, body, signed(hook.secret, body))).status).toBe(202);
    expect((await post(hook.id, body, signed(fresh, body))).status).toBe(202);
    await database.prisma.webhookSecret.update({ where: { workflowId: hook.id }, data: { previousExpiresAt: new Date(Date.now() - 1) } });
    expect((await post(hook.id, body, signed(hook.secret, body))).status).toBe(401);
  });

  it("verifies a GitHub-style HMAC-SHA256 header, with the delivery id header for dedup", async () => {
    const hook = await webhookWorkflow({ signature: "hmac-sha256" });
    const body = "action=opened&number=7";
    const signature = `sha256=${createHmac("sha256", hook.secret).update(body).digest("hex")}`;
    const headers = { "content-type": "application/x-www-form-urlencoded", "x-hub-signature-256": signature, "x-github-delivery": "d-1" };
    const response = await post(hook.id, body, headers);
    expect(response.status).toBe(202);
    const { runIds } = (await response.json()) as { runIds: string[] };
    expect((await finished(runIds[0]!)).steps[0]?.output).toEqual({ value: { action: "opened", number: "7" } });
    expect((await post(hook.id, body, headers)).status).toBe(200);
    expect((await post(hook.id, body, { ...headers, "x-hub-signature-256": "sha256=00" })).status).toBe(401);
  });

  it("answers 413 above 1 MB, 400 for bodies Postgres cannot store, 409 when the workflow is disabled, 404 for an unknown address", async () => {
    const hook = await webhookWorkflow();
    const big = JSON.stringify({ blob: "x".repeat(1_000_001) });
    expect((await post(hook.id, big, signed(hook.secret, big))).status).toBe(413);
    const nul = '{"name":"a\\u0000b"}';
    const refused = await post(hook.id, nul, signed(hook.secret, nul));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("body.name: The text contains a NUL character");
    await setWorkflowEnabled(database.prisma, catalog, owner, hook.id, false);
    expect((await post(hook.id, "{}", signed(hook.secret, "{}"))).status).toBe(409);
    expect(await runsOf(hook.id)).toHaveLength(0);
    expect((await post("nope", "{}", {})).status).toBe(404);
  });

  it("the trigger API shows the URL and whether a secret exists, never the secret", async () => {
    const hook = await webhookWorkflow();
    const response = await callRoute("GET", `/api/v1/workflows/${hook.id}/trigger`, { key });
    const overview = (await response.json()) as { type: string; webhook: { url: string; hasSecret: boolean } };
    expect(overview).toMatchObject({ type: "webhook", webhook: { hasSecret: true } });
    expect(overview.webhook.url).toMatch(new RegExp(`/api/hooks/${hook.id}$`));
    expect(JSON.stringify(overview)).not.toContain(hook.secret);
    const rotated = await callRoute("POST", `/api/v1/workflows/${hook.id}/trigger/secret`, { key });
    expect(rotated.status).toBe(201);
    expect(((await rotated.json()) as { secret: string }).secret).toMatch(/^whsec_/);
  });
});
