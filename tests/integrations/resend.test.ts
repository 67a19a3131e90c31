import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { catalog } from "@/lib/catalog";
import { connectWithToken } from "@/lib/integrations/connections";
import type { ExecuteActionRequest } from "@/lib/integrations/execute";
import { loadOptions } from "@/lib/integrations/options";
import { connectThroughConsent } from "@/fakes/fattureincloud/contract";
import { startFakeFattureInCloud, type FakeFattureInCloud } from "@/fakes/fattureincloud/server";
import { connectResend } from "@/fakes/resend/contract";
import { startFakeResend, type FakeResend } from "@/fakes/resend/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { appFailure, workflowFailure } from "../support/failure";
import { seedCompany } from "../support/seed";
import { executeAction, setProviderTestEnv } from "./support";

// "Send email" through the real `resend` SDK against the fake Resend: the payload, the
// Idempotency-Key, each mapped error, pasted keys; and the invoice flow that ends in an email
// carrying the Fatture in Cloud PDF and an attachment from the trigger.

let database: TestDatabase;
let fake: FakeResend;
let fic: FakeFattureInCloud;
let owner: Caller;
let connectionId: string;

beforeAll(async () => {
  [fake, fic] = await Promise.all([startFakeResend(), startFakeFattureInCloud()]);
  setProviderTestEnv({
    RESEND_BASE_URL: fake.apiUrl,
    RESEND_API_KEY: fake.fullAccessKey,
    EMAIL_FROM: "Flowline <flow@flowline.test>",
    FATTUREINCLOUD_API_URL: fic.apiUrl,
    FATTUREINCLOUD_CLIENT_ID: fic.clientId,
    FATTUREINCLOUD_CLIENT_SECRET: fic.clientSecret,
  });
  database = await openTestDatabase();
  ({ owner } = await seedCompany(database.prisma, "MailCo"));
  await database.prisma.credential.deleteMany({ where: { companyId: owner.companyId } });
  connectionId = (await connectResend(database.prisma, fake, { companyId: owner.companyId })).id;
});
afterAll(async () => {
  await database.close();
  await Promise.all([fake.close(), fic.close()]);
});
beforeEach(() => fake.reset());

const run = (nodeType: string, input: unknown, extra: Partial<ExecuteActionRequest> = {}) =>
  executeAction(database.prisma, owner, nodeType, input, { ...extra });
const send = (input: Record<string, unknown>, extra: Partial<ExecuteActionRequest> = {}) =>
  run("resend.send_email", { to: "cliente@example.it", subject: "Ciao", text: "Testo", ...input }, { connectionId, ...extra });

describe("Resend: send email", () => {
  it("sends from the server's sender with cc, bcc, reply-to, HTML, tags and attachments by content", async () => {
    const result = await send({
      to: ["a@example.it", "Bea <b@example.it>"],
      cc: "c@example.it, d@example.it",
      bcc: ["e@example.it"],
      replyTo: "reply@acme.test",
      html: "<p>Ciao</p>",
      tags: [{ name: "invoice", value: "42" }],
      attachments: [{ filename: "note.txt", content: Buffer.from("ciao").toString("base64"), contentType: "text/plain" }],
    });
    const email = fake.outbox.at(-1)!;
    expect(result.output).toEqual({
      id: email.id,
      from: "Flowline <flow@flowline.test>",
      to: ["a@example.it", "Bea <b@example.it>"],
      subject: "Ciao",
      sentWith: "connection",
      attachments: [{ filename: "note.txt", contentType: "text/plain" }],
    });
    expect(email).toMatchObject({
      cc: ["c@example.it", "d@example.it"],
      bcc: ["e@example.it"],
      replyTo: ["reply@acme.test"],
      html: "<p>Ciao</p>",
      text: "Testo",
      tags: [{ name: "invoice", value: "42" }],
    });
    expect(email.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([["note.txt", "ciao"]]);
    expect(result.externalRef).toBe(email.id);
  });

  it("sends the step's idempotency key, so a repeat after a crash does not send twice", async () => {
    const first = await send({ from: "Billing <billing@acme.test>" }, { idempotencyKey: "step-abc" });
    const again = await send({ from: "Billing <billing@acme.test>" }, { idempotencyKey: "step-abc" });
    expect(again.output).toEqual(first.output);
    expect(fake.outbox.filter((e) => e.id === (first.output as { id: string }).id)).toHaveLength(1);
    expect(fake.callsTo("emails.send").map((c) => c.params.idempotencyKey)).toEqual(["step-abc", "step-abc"]);
  });

  it("maps validation_error naming the field, an unverified domain, rate_limit_exceeded with its wait, daily_quota_exceeded and invalid_api_key", async () => {
    const bad = await workflowFailure(send({ to: "not an address" }));
    expect(bad).toMatchObject({ code: "E_VALIDATION", message: 'to: "not an address" is not an email address' });
    fake.fail("emails.send", { type: "error", error: "validation_error" });
    const refused = await workflowFailure(send({}));
    expect(refused).toMatchObject({ code: "E_VALIDATION", retryable: false, message: "Resend refused the email (to): The `to` field is invalid." });
    const domain = await workflowFailure(send({ from: "x@unverified.example" }));
    expect(domain.message).toMatch(/unverified.example domain is not verified/);
    expect(domain.remediation).toMatch(/verified in Resend/);
    fake.fail("emails.send", { type: "error", error: "rate_limit_exceeded" });
    expect(await workflowFailure(send({}))).toMatchObject({ code: "E_RATE_LIMITED", retryAfterMs: 2_000 });
    fake.fail("emails.send", { type: "error", error: "daily_quota_exceeded" });
    const quota = await workflowFailure(send({}));
    expect(quota).toMatchObject({ code: "E_CREDENTIAL_SCOPE", retryable: false });
    expect(quota.message).toMatch(/daily sending quota is used up/);
    const spare = (await connectResend(database.prisma, fake, { companyId: owner.companyId })).id;
    fake.fail("emails.send", { type: "error", error: "invalid_api_key" });
    expect(await workflowFailure(send({}, { connectionId: spare }))).toMatchObject({
      code: "E_CREDENTIAL_INVALID",
      remediation: "Reconnect Resend in Settings > Integrations",
    });
    expect((await database.prisma.credential.findUniqueOrThrow({ where: { id: spare } })).status).toBe("needs_attention");
    await database.prisma.credential.delete({ where: { id: spare } });
  });

  it("a pasted key is checked: wrong shape and unknown keys refused, full-access and sending-only keys accepted; the domains picker lists verified domains", async () => {
    expect(await appFailure(connectWithToken(database.prisma, owner, { appId: "resend", owner: "user", token: "sk_live_1234567890" }, catalog))).toMatchObject({
      code: "validation_failed",
      message: expect.stringContaining("starts with re_"),
    });
    expect(
      await appFailure(connectWithToken(database.prisma, owner, { appId: "resend", owner: "user", token: "re_not_a_real_key_123" }, catalog)),
    ).toMatchObject({ message: "Resend did not accept this token" });
    const full = await connectWithToken(database.prisma, owner, { appId: "resend", owner: "user", token: fake.fullAccessKey }, catalog);
    expect(full).toMatchObject({ displayName: "flowline.test", accountChoices: 1 });
    const sending = await connectWithToken(database.prisma, owner, { appId: "resend", owner: "user", token: fake.sendingKey }, catalog);
    expect(sending).toMatchObject({ displayName: "Resend (sending only)" });
    expect(sending.accountId).not.toBe(full.accountId);
    expect(JSON.stringify([full, sending])).not.toContain("re_fake");
    expect((await loadOptions(database.prisma, owner, { loader: "resend.domains", connectionId: full.id }, catalog)).options.map((o) => o.value)).toEqual(
      fake.domains,
    );
    await database.prisma.credential.deleteMany({ where: { userId: owner.userId } });
  });
});

describe("an emailed PDF → an invoice → an email with the invoice and the original attachment", () => {
  it("creates the invoice, then sends it by email with its PDF and the trigger's attachment", async () => {
    await connectThroughConsent(database.prisma, fic, { companyId: owner.companyId });
    // What an inbound email trigger hands the run (until triggers land, a manual payload of that
    // shape), its attachment served where Resend's signed download_url would be.
    const original = Buffer.from("%PDF-1.4\n% Ordine 17\n%%EOF\n");
    const files = http.createServer((_request, response) => response.writeHead(200, { "content-type": "application/pdf" }).end(original));
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    const downloadUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/attachments/ordine-17.pdf`;
    const payload = {
      from: "Mary Red <amministrazione@maryred.it>",
      subject: "Ordine 17",
      attachments: [{ filename: "ordine-17.pdf", content_type: "application/pdf", download_url: downloadUrl }],
    };
    const invoice = (await run("fattureincloud.create_invoice", { clientId: 54321, items: [{ name: "Ordine 17", qty: 1, price: 250, vatId: 0 }] })).output as {
      id: number;
      number: number;
      pdfUrl: string;
      amountGross: number;
    };
    expect(invoice.amountGross).toBe(305);
    const email = await send({
      to: "amministrazione@maryred.it",
      subject: `Fattura n. ${invoice.number}`,
      text: `In allegato la fattura per ${payload.subject}.`,
      attachments: [
        { filename: `fattura-${invoice.number}.pdf`, url: invoice.pdfUrl, contentType: "application/pdf" },
        { filename: payload.attachments[0]!.filename, url: payload.attachments[0]!.download_url },
      ],
    });
    const sent = fake.outbox.find((e) => e.id === (email.output as { id: string }).id)!;
    expect(sent.attachments.map((a) => a.filename)).toEqual([`fattura-${invoice.number}.pdf`, "ordine-17.pdf"]);
    expect(sent.attachments[0]!.content.toString()).toMatch(/^%PDF-1\.4\n% Fattura \d+ Mary Red S\.r\.L\./);
    expect(sent.attachments[1]!.content).toEqual(original);
    await new Promise<void>((resolve) => files.close(() => resolve()));
  });
});
