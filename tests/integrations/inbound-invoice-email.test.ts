import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThroughConsent } from "@/fakes/fattureincloud/contract";
import { startFakeFattureInCloud, type FakeFattureInCloud } from "@/fakes/fattureincloud/server";
import { connectResend } from "@/fakes/resend/contract";
import { startFakeResend, type FakeResend } from "@/fakes/resend/server";
import type { Caller } from "@/lib/auth/roles";
import { catalog } from "@/lib/catalog";
import { closeDatabase, setDatabase } from "@/lib/db";
import { inboundAddress } from "@/lib/triggers/email-receiver";
import { EmbeddedWorker } from "@/lib/workflow/hosts/embedded";
import { createWorkflow, publishWorkflow, setWorkflowEnabled } from "@/lib/workflow/store";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { callRoute } from "../support/routes";
import { seedCompany } from "../support/seed";
import { setProviderTestEnv } from "./support";

// The seed's invoice flow end to end, every part real but the two providers (fakes over HTTP,
// driven by their official SDKs): the fake Resend receives an email with a PDF and sends the app
// its signed email.received webhook; the inbound trigger stores the PDF and starts the workflow;
// the worker creates a Fatture in Cloud invoice and emails it with the original PDF attached by
// its file id. The company has no Resend connection, so the server's key sends it (and says so);
// once the company pastes its own key, that key sends.

const DOMAIN = "in.invoices.test";
let database: TestDatabase;
let resend: FakeResend;
let fic: FakeFattureInCloud;
let owner: Caller;
let worker: EmbeddedWorker;

beforeAll(async () => {
  [resend, fic] = await Promise.all([startFakeResend(), startFakeFattureInCloud()]);
  setProviderTestEnv({
    RESEND_BASE_URL: resend.apiUrl,
    RESEND_API_KEY: resend.fullAccessKey,
    RESEND_WEBHOOK_SECRET: resend.webhookSecret,
    EMAIL_FROM: "Flowline <flow@flowline.test>",
    INBOUND_EMAIL_DOMAIN: DOMAIN,
    FATTUREINCLOUD_API_URL: fic.apiUrl,
    FATTUREINCLOUD_CLIENT_ID: fic.clientId,
    FATTUREINCLOUD_CLIENT_SECRET: fic.clientSecret,
  });
  database = await openTestDatabase();
  setDatabase(database);
  ({ owner } = await seedCompany(database.prisma, "Fatture"));
  await database.prisma.credential.deleteMany({ where: { companyId: owner.companyId } });
  await connectThroughConsent(database.prisma, fic, { companyId: owner.companyId });
  worker = new EmbeddedWorker(database.prisma, { catalog, pollMs: 25 });
  await worker.start();
}, 60_000);
afterAll(async () => {
  await worker.stop();
  await closeDatabase();
  await Promise.all([resend.close(), fic.close()]);
});

const invoiceFlow = {
  version: 1,
  trigger: { type: "email.inbound", config: { subjectContains: "Ordine" } },
  nodes: [
    {
      id: "invoice",
      type: "fattureincloud.create_invoice",
      name: "Create invoice",
      config: { clientId: 54321, items: [{ name: "{{trigger.payload.subject}}", qty: 1, price: 250, vatId: 0 }] },
      position: { x: 0, y: 0 },
    },
    {
      id: "mail",
      type: "resend.send_email",
      name: "Email the invoice",
      config: {
        to: "{{trigger.payload.from}}",
        subject: "Fattura n. {{step.invoice.output.number}}",
        text: "In allegato la fattura per {{trigger.payload.subject}} e il vostro ordine.",
        attachments: [
          { filename: "fattura-{{step.invoice.output.number}}.pdf", url: "{{step.invoice.output.pdfUrl}}", contentType: "application/pdf" },
          { fileId: "{{trigger.payload.attachments.0.fileId}}" },
        ],
      },
      position: { x: 200, y: 0 },
    },
  ],
  edges: [
    { id: "e1", source: "trigger", target: "invoice" },
    { id: "e2", source: "invoice", target: "mail" },
  ],
};

async function finished(runId: string) {
  await expect
    .poll(async () => (await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: runId } })).status, { timeout: 30_000, interval: 50 })
    .toMatch(/^(succeeded|failed)$/);
  return database.prisma.workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { steps: true } });
}

async function emailAnOrder(workflowId: string, order: string) {
  const original = Buffer.from(`%PDF-1.4\n% ${order}\n%%EOF\n`);
  const webhook = resend.receive({
    from: "Mary Red <amministrazione@maryred.it>",
    to: [inboundAddress(workflowId, DOMAIN)],
    subject: order,
    text: "Vi inviamo l'ordine in allegato.",
    attachments: [{ filename: `${order.toLowerCase().replace(/\s+/g, "-")}.pdf`, contentType: "application/pdf", content: original }],
  });
  const response = await callRoute("POST", "/api/inbound/resend", { rawBody: webhook.body, headers: webhook.headers });
  expect(response.status).toBe(202);
  const { runIds } = (await response.json()) as { runIds: string[] };
  expect(runIds).toHaveLength(1);
  return { run: await finished(runIds[0]!), original };
}

describe("an emailed order → a Fatture in Cloud invoice → an email with both PDFs", () => {
  it("runs on the worker from the real inbound trigger; without a Resend connection the server's key sends", async () => {
    const workflow = await createWorkflow(database.prisma, catalog, owner, { name: `Ordini ${randomBytes(3).toString("hex")}`, definition: invoiceFlow });
    await publishWorkflow(database.prisma, catalog, owner, workflow.id);
    await setWorkflowEnabled(database.prisma, catalog, owner, workflow.id, true);

    const { run, original } = await emailAnOrder(workflow.id, "Ordine 17");
    expect(run.steps.filter((s) => s.status !== "succeeded").map((s) => `${s.nodeId}: ${s.errorCode} ${s.errorMessage}`)).toEqual([]);
    expect(run.status).toBe("succeeded");
    const invoice = run.steps.find((s) => s.nodeId === "invoice")!.output as { number: number; amountGross: number };
    expect(invoice.amountGross).toBe(305);
    const mailed = run.steps.find((s) => s.nodeId === "mail")!.output as { id: string; sentWith: string };
    expect(mailed.sentWith).toBe("server");

    const sent = resend.outbox.find((e) => e.id === mailed.id)!;
    expect(sent).toMatchObject({
      to: ["Mary Red <amministrazione@maryred.it>"],
      subject: `Fattura n. ${invoice.number}`,
      from: "Flowline <flow@flowline.test>",
    });
    expect(sent.attachments.map((a) => a.filename)).toEqual([`fattura-${invoice.number}.pdf`, "ordine-17.pdf"]);
    expect(sent.attachments[0]!.content.toString()).toMatch(/^%PDF-1\.4/);
    expect(sent.attachments[1]!.content).toEqual(original);
    // sent with the server's key: no company connection was involved
    expect(resend.callsTo("emails.send").at(-1)?.token).toBe(resend.fullAccessKey);
  });

  it("a company's own pasted Resend key wins over the server's", async () => {
    const key = resend.issueKey();
    await connectResend(database.prisma, resend, { companyId: owner.companyId }, key);
    const workflow = await createWorkflow(database.prisma, catalog, owner, { name: `Ordini ${randomBytes(3).toString("hex")}`, definition: invoiceFlow });
    await publishWorkflow(database.prisma, catalog, owner, workflow.id);
    await setWorkflowEnabled(database.prisma, catalog, owner, workflow.id, true);
    const { run } = await emailAnOrder(workflow.id, "Ordine 18");
    expect(run.status).toBe("succeeded");
    expect((run.steps.find((s) => s.nodeId === "mail")!.output as { sentWith: string }).sentWith).toBe("connection");
    expect(resend.callsTo("emails.send").at(-1)?.token).toBe(key);
  });
});
