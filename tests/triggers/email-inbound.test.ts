import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog } from "@/lib/catalog";
import { closeDatabase, setDatabase } from "@/lib/db";
import { readFile } from "@/lib/files/store";
import { inboundAddress } from "@/lib/triggers/email-receiver";
import { createWorkflow, publishWorkflow, setWorkflowEnabled } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { startFakeResend, type FakeResend } from "@/fakes/resend/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { setFakeResendEnv } from "../support/env";
import { callRoute } from "../support/routes";
import { seedCompany } from "../support/seed";

// Resend inbound end to end: the fake Resend signs an email.received webhook (metadata only),
// the route verifies it, fetches the content and attachments through the real resend SDK, stores
// the attachments and starts the addressed workflow once.

let database: TestDatabase;
let fake: FakeResend;
let restoreEnv: () => void;
let owner: Awaited<ReturnType<typeof seedCompany>>["owner"];

beforeAll(async () => {
  fake = await startFakeResend();
  restoreEnv = setFakeResendEnv(fake, "in.flowline.test");
  database = await openTestDatabase();
  setDatabase(database);
  ({ owner } = await seedCompany(database.prisma, "Inbox"));
}, 60_000);
afterAll(async () => {
  restoreEnv();
  await closeDatabase();
  await fake.close();
});

async function inboxWorkflow(config: Record<string, unknown> = {}) {
  const def = { ...definition([node("a", "core.noop", { value: "{{trigger.payload.subject}}" })], ["trigger→a"]), trigger: { type: "email.inbound", config } };
  const workflow = await createWorkflow(database.prisma, catalog, owner, { name: `inbox ${randomBytes(3).toString("hex")}`, definition: def });
  await publishWorkflow(database.prisma, catalog, owner, workflow.id);
  await setWorkflowEnabled(database.prisma, catalog, owner, workflow.id, true);
  return workflow.id;
}

const deliver = (webhook: { body: string; headers: Record<string, string> }) =>
  callRoute("POST", "/api/inbound/resend", { rawBody: webhook.body, headers: webhook.headers });
const runsOf = (workflowId: string) => database.prisma.workflowRun.findMany({ where: { workflowId } });

describe("Resend inbound email", () => {
  it("starts the addressed workflow once, with the fetched body and the attachments stored as files", async () => {
    const id = await inboxWorkflow();
    const pdf = Buffer.from("%PDF-1.4 fake invoice");
    const webhook = fake.receive({
      from: "Supplier <billing@supplier.example>",
      to: [inboundAddress(id, "in.flowline.test")],
      subject: "Invoice 2026/014",
      text: "Please find the invoice attached.",
      html: "<p>Please find the invoice attached.</p>",
      attachments: [{ filename: "invoice.pdf", contentType: "application/pdf", content: pdf }],
    });
    const response = await deliver(webhook);
    expect(response.status).toBe(202);
    const [run] = await runsOf(id);
    expect(run?.triggerType).toBe("email.inbound");
    const payload = run!.triggerPayload as { subject: string; text: string; from: string; attachments: { fileId: string; filename: string; size: number }[] };
    expect(payload).toMatchObject({ subject: "Invoice 2026/014", text: "Please find the invoice attached.", from: "Supplier <billing@supplier.example>" });
    expect(payload.attachments).toEqual([expect.objectContaining({ filename: "invoice.pdf", contentType: "application/pdf", size: pdf.length })]);
    const stored = await readFile(database.prisma, owner.companyId, payload.attachments[0]!.fileId);
    expect(Buffer.from(stored.bytes).equals(pdf)).toBe(true);
    // the content was fetched through the receiving API with the server's key
    expect(fake.calls.map((c) => c.method)).toEqual(expect.arrayContaining(["GET /emails/receiving/{id}", "GET /emails/receiving/{id}/attachments"]));

    // Resend redelivers (same email id, new signature): nothing more, and nothing fetched again
    const fetches = fake.calls.length;
    const again = await deliver({ body: webhook.body, headers: fake.signedHeaders(webhook.body) });
    expect(again.status).toBe(200);
    expect(await runsOf(id)).toHaveLength(1);
    expect(fake.calls.length).toBe(fetches);
  });

  it("refuses a forged or stale signature (401, no run), applies the sender and subject filters, and ignores unknown addresses", async () => {
    const id = await inboxWorkflow({ subjectContains: "invoice" });
    const webhook = fake.receive({ from: "x@y.example", to: [inboundAddress(id, "in.flowline.test")], subject: "Invoice 1" });
    expect((await deliver({ body: webhook.body, headers: { ...webhook.headers, "svix-signature": "v1,Zm9yZ2Vk" } })).status).toBe(401);
    const stale = fake.signedHeaders(webhook.body, new Date(Date.now() - 6 * 60_000));
    expect((await deliver({ body: webhook.body, headers: stale })).status).toBe(401);
    expect(await runsOf(id)).toHaveLength(0);

    const other = fake.receive({ from: "x@y.example", to: [inboundAddress(id, "in.flowline.test")], subject: "Hello" });
    expect((await deliver(other)).status).toBe(202);
    expect(await runsOf(id)).toHaveLength(0);
    expect((await deliver(webhook)).status).toBe(202);
    expect(await runsOf(id)).toHaveLength(1);

    const nobody = fake.receive({ from: "x@y.example", to: ["someone@else.example"], subject: "Invoice" });
    expect((await deliver(nobody)).status).toBe(200);
  });

  it("keeps no attachment of an email it did not take in: one it refuses, and the second of two deliveries at once", async () => {
    const filesNamed = (filename: string) => database.prisma.storedFile.count({ where: { companyId: owner.companyId, filename } });
    const id = await inboxWorkflow();
    const to = [inboundAddress(id, "in.flowline.test")];

    // A NUL in the subject: the payload cannot be stored, so the email is refused after its attachment was.
    const refused = fake.receive({
      from: "x@y.example",
      to,
      subject: "bad \u0000 subject",
      attachments: [{ filename: "refused.pdf", contentType: "application/pdf", content: Buffer.from("%PDF-1.4 a") }],
    });
    expect((await deliver(refused)).status).toBe(202);
    expect(await runsOf(id)).toHaveLength(0);
    expect(await database.prisma.inboundEvent.count({ where: { workflowId: id, status: "rejected" } })).toBe(1);
    expect(await filesNamed("refused.pdf")).toBe(0);

    // The same delivery twice at once: both may fetch and store before either commits; one run, one file.
    const twice = fake.receive({
      from: "x@y.example",
      to,
      subject: "Twice",
      attachments: [{ filename: "twice.pdf", contentType: "application/pdf", content: Buffer.from("%PDF-1.4 b") }],
    });
    const answers = await Promise.all([deliver(twice), deliver({ body: twice.body, headers: fake.signedHeaders(twice.body) })]);
    expect(answers.map((a) => a.status).sort()).toEqual(expect.arrayContaining([202]));
    const runs = await runsOf(id);
    expect(runs).toHaveLength(1);
    expect(await filesNamed("twice.pdf")).toBe(1);
    const [attachment] = (runs[0]!.triggerPayload as { attachments: { fileId: string }[] }).attachments;
    expect((await readFile(database.prisma, owner.companyId, attachment!.fileId)).filename).toBe("twice.pdf");
  });
});
