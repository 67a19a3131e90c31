import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeResend, type FakeResend } from "@/fakes/resend/server";
import { catalog } from "@/lib/catalog";
import { closeDatabase, setDatabase } from "@/lib/db";
import { triggerEvents } from "@/lib/triggers/history";
import { emitTestEvent, listenForTestEvent, sendTestEmail, testEventStatus } from "@/lib/triggers/test-events";
import { rotateWebhookSecret } from "@/lib/triggers/webhook";
import { createWorkflow, getWorkflow, publishWorkflow, setWorkflowEnabled } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { setTestEnv } from "../support/env";
import { callRoute } from "../support/routes";
import { seedCompany } from "../support/seed";
import { signedWebhookHeaders } from "../support/webhook";

// Trying triggers from the workflow page: a webhook call while listening becomes the draft's
// sample payload (where the editor's variable picker reads it) and starts no run; a test
// document.completed event starts this workflow's run through the intake, marked as a test; the
// sandbox's "Send test email" has the fake Resend send the app (over real HTTP) a signed webhook.

let database: TestDatabase;
let fake: FakeResend;
let app: http.Server;
let owner: Awaited<ReturnType<typeof seedCompany>>["owner"];

beforeAll(async () => {
  database = await openTestDatabase();
  setDatabase(database);
  ({ owner } = await seedCompany(database.prisma, "Trying"));
  // The app's inbound endpoint over HTTP, for the fake Resend to call.
  app = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void callRoute("POST", req.url ?? "/", { rawBody: Buffer.concat(chunks).toString("utf8"), headers: req.headers as Record<string, string> }).then(
        async (response) => {
          res.writeHead(response.status, { "content-type": "application/json" });
          res.end(await response.text());
        },
      );
    });
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  fake = await startFakeResend();
  setTestEnv({
    APP_URL: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
    RESEND_API_KEY: fake.apiKey,
    RESEND_BASE_URL: fake.url,
    RESEND_WEBHOOK_SECRET: fake.webhookSecret,
    EMAIL_FROM: "Flowline <noreply@flowline.test>",
  });
}, 60_000);
afterAll(async () => {
  setTestEnv({ APP_URL: undefined, RESEND_API_KEY: undefined, RESEND_BASE_URL: undefined, RESEND_WEBHOOK_SECRET: undefined, EMAIL_FROM: undefined });
  await fake.close();
  await new Promise((resolve) => app.close(resolve));
  await closeDatabase();
});

const withTrigger = (trigger: { type: string; config: Record<string, unknown> }) => ({ ...definition([node("a")], ["trigger→a"]), trigger });
async function workflowWith(trigger: { type: string; config: Record<string, unknown> }, state: "draft" | "enabled" = "enabled") {
  const workflow = await createWorkflow(database.prisma, catalog, owner, { name: `try ${randomBytes(3).toString("hex")}`, definition: withTrigger(trigger) });
  if (state === "enabled") {
    await publishWorkflow(database.prisma, catalog, owner, workflow.id);
    await setWorkflowEnabled(database.prisma, catalog, owner, workflow.id, true);
  }
  return workflow.id;
}
const runsOf = (workflowId: string) => database.prisma.workflowRun.findMany({ where: { workflowId } });

function signedCall(workflowId: string, secret: string, payload: unknown) {
  const body = JSON.stringify(payload);
  return callRoute("POST", `/api/hooks/${workflowId}`, { rawBody: body, headers: signedWebhookHeaders(secret, body) });
}

describe("listen for a test event (webhook)", () => {
  it("keeps one verified call as the draft's sample, even before publishing, and starts no run", async () => {
    const id = await workflowWith({ type: "webhook", config: {} }, "draft");
    const { secret } = await rotateWebhookSecret(database.prisma, owner, id);
    const before = (await getWorkflow(database.prisma, catalog, owner, id)).revision;
    const { listeningUntil } = await listenForTestEvent(database.prisma, owner, id);
    expect((await testEventStatus(database.prisma, owner, id)).listeningUntil).toBe(listeningUntil);

    const response = await signedCall(id, secret, { order: "A-1", customer: { email: "ada@example.com" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sample: true, runIds: [] });
    expect(await runsOf(id)).toHaveLength(0);

    const status = await testEventStatus(database.prisma, owner, id);
    expect(status.listeningUntil).toBeNull();
    expect(status.sample).toMatchObject({ body: { order: "A-1", customer: { email: "ada@example.com" } }, headers: { "content-type": "application/json" } });
    // the editor reads trigger.config.samplePayload of the draft, which changed revision (an open editor adopts it)
    const workflow = await getWorkflow(database.prisma, catalog, owner, id);
    expect(workflow.draft.trigger.config).toMatchObject({ samplePayload: status.sample });
    expect(workflow.revision).not.toBe(before);
    const { events } = await triggerEvents(database.prisma, owner, id);
    expect(events[0]).toMatchObject({ status: "accepted", runIds: [], reason: expect.stringMatching(/sample payload/) });

    // listening is over: the unpublished workflow's URL answers nothing again
    expect((await signedCall(id, secret, { order: "A-2" })).status).toBe(404);
  });

  it("on an enabled workflow, captures one call instead of running it; the next call runs", async () => {
    const id = await workflowWith({ type: "webhook", config: {} });
    const { secret } = await rotateWebhookSecret(database.prisma, owner, id);
    await listenForTestEvent(database.prisma, owner, id);
    expect((await signedCall(id, secret, { n: 1 })).status).toBe(200);
    expect(await runsOf(id)).toHaveLength(0);
    expect((await signedCall(id, secret, { n: 2 })).status).toBe(202);
    expect(await runsOf(id)).toHaveLength(1);
  });

  it("refuses an unsigned call while listening (nothing captured), and listening on another trigger", async () => {
    const id = await workflowWith({ type: "webhook", config: {} }, "draft");
    await rotateWebhookSecret(database.prisma, owner, id);
    await listenForTestEvent(database.prisma, owner, id);
    const forged = await callRoute("POST", `/api/hooks/${id}`, { rawBody: "{}", headers: { "content-type": "application/json" } });
    expect(forged.status).toBe(400);
    expect((await testEventStatus(database.prisma, owner, id)).sample).toBeNull();
    const manual = await workflowWith({ type: "manual", config: {} }, "draft");
    await expect(listenForTestEvent(database.prisma, owner, manual)).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("emit a test event (document.completed)", () => {
  it("starts this workflow's run with the sample payload, marked as a test, and no other workflow's", async () => {
    const sample = { documentId: "doc_9", title: "Lease", folder: "Contracts", completedAt: "2026-01-05T16:40:00.000Z", signers: [] };
    const id = await workflowWith({ type: "document.completed", config: { folder: "Contracts", samplePayload: sample } });
    const other = await workflowWith({ type: "document.completed", config: {} });
    const result = await emitTestEvent(database.prisma, catalog, owner, id);
    expect(result.runIds).toHaveLength(1);
    const [run] = await runsOf(id);
    expect(run).toMatchObject({ triggerType: "document.completed", triggerSource: "test", triggerPayload: { ...sample, test: true } });
    expect(await runsOf(other)).toHaveLength(0);
    const { events } = await triggerEvents(database.prisma, owner, id);
    expect(events[0]).toMatchObject({ runIds: result.runIds, reason: "Test event from the workflow page" });
  });

  it("says why when the workflow is not published with that trigger", async () => {
    const id = await workflowWith({ type: "document.completed", config: {} }, "draft");
    await expect(emitTestEvent(database.prisma, catalog, owner, id)).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/publish/) });
  });
});

describe("send test email (sandbox)", () => {
  it("the fake Resend sends the app a signed email.received webhook for the workflow's address, which starts its run", async () => {
    const id = await workflowWith({ type: "email.inbound", config: {} });
    const sent = await sendTestEmail(database.prisma, owner, id);
    expect(sent.status).toBe(202);
    const [run] = await runsOf(id);
    expect(run?.triggerPayload).toMatchObject({ subject: "Test email from the sandbox", attachments: [expect.objectContaining({ filename: "test.pdf" })] });
  });
});
