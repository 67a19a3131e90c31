import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { runAsCaller } from "@/lib/auth/session";
import { catalog } from "@/lib/catalog";
import { closeDatabase, setDatabase } from "@/lib/db";
import { openSecret } from "@/lib/credentials/store";
import { chooseAccount, connectWithToken, listAccounts } from "@/lib/integrations/connections";
import { reconcileIntegrationAction, undoEffect, type ExecuteActionRequest } from "@/lib/integrations/execute";
import { splitPayments } from "@/lib/integrations/fattureincloud/create-invoice";
import { loadOptions } from "@/lib/integrations/options";
import { startFakeFattureInCloud, type FakeFattureInCloud } from "@/fakes/fattureincloud/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { appFailure, workflowFailure } from "../support/failure";
import { callRoute } from "../support/routes";
import { seedCompany } from "../support/seed";
import { createRun, setProviderTestEnv, target, executeAction } from "./support";

// Fatture in Cloud through the official SDK against the fake: OAuth connect and the company
// choice, every action's success path and mapped errors, undo, reconcile, the pickers.

let database: TestDatabase;
let fake: FakeFattureInCloud;
let owner: Caller;
let connectionId: string;
const [first, second] = [1000001, 1000002];

beforeAll(async () => {
  fake = await startFakeFattureInCloud();
  setProviderTestEnv({ FATTUREINCLOUD_API_URL: fake.apiUrl, FATTUREINCLOUD_CLIENT_ID: fake.clientId, FATTUREINCLOUD_CLIENT_SECRET: fake.clientSecret });
  database = await openTestDatabase();
  setDatabase(database);
  ({ owner } = await seedCompany(database.prisma, "FicCo"));
  await database.prisma.credential.deleteMany({ where: { companyId: owner.companyId } });
});
afterAll(async () => {
  await closeDatabase();
  await fake.close();
});

const run = (nodeType: string, input: unknown, extra: Partial<ExecuteActionRequest> = {}) =>
  executeAction(database.prisma, owner, nodeType, input, { connectionId, ...extra });

const invoiceInput = {
  clientId: 54321,
  items: [
    { name: "Consulenza", qty: 3, price: 33.33, vatId: 0 },
    { name: "Trasferta", qty: 1, price: 10.01, vatId: 3 },
  ],
  installments: 3,
  date: "2026-11-20",
};

describe("Fatture in Cloud: connect and choose the company", () => {
  it("connects through the consent page, binds the first company and asks which one when there are several", async () => {
    const start = await runAsCaller(owner, () => callRoute("GET", "/api/integrations/fattureincloud/connect?owner=company"));
    expect(start.status).toBe(303);
    const authorize = new URL(start.headers.get("location")!);
    expect(authorize.origin + authorize.pathname).toBe(`${fake.url}/oauth/authorize`);
    expect(authorize.searchParams.get("scope")).toBe("issued_documents.invoices:a entity.clients:a settings:r emails:r");
    expect(await (await fetch(authorize)).text()).toContain("Autorizza");
    const approve = new URL("/oauth/approve", fake.url);
    for (const key of ["client_id", "redirect_uri", "state", "scope"]) approve.searchParams.set(key, authorize.searchParams.get(key)!);
    approve.searchParams.set("decision", "allow");
    const back = new URL((await fetch(approve, { redirect: "manual" })).headers.get("location")!);
    const done = await runAsCaller(owner, () => callRoute("GET", back.pathname + back.search));
    const landing = new URL(done.headers.get("location")!);
    expect(landing.searchParams.get("connected")).toBe("fattureincloud");
    connectionId = landing.searchParams.get("choose")!;
    const row = await database.prisma.credential.findUniqueOrThrow({ where: { id: connectionId } });
    expect(row).toMatchObject({ type: "oauth", status: "connected", accountId: String(first), displayName: "Rossi Consulenze S.r.l." });
    expect(openSecret<{ companyId: number }>(row).companyId).toBe(first);

    const choices = await listAccounts(database.prisma, owner, { id: connectionId }, catalog);
    expect(choices).toMatchObject({ noun: "company", current: String(first) });
    expect(choices.accounts.map((a) => a.displayName)).toEqual(["Rossi Consulenze S.r.l.", "Bianchi Design di Luca Bianchi"]);
    const switched = await chooseAccount(database.prisma, owner, { id: connectionId, accountId: String(second) }, catalog);
    expect(switched).toMatchObject({ accountId: String(second), displayName: "Bianchi Design di Luca Bianchi" });
    const refused = await appFailure(chooseAccount(database.prisma, owner, { id: connectionId, accountId: "999" }, catalog));
    expect(refused).toMatchObject({ code: "validation_failed" });
    // back to the first company for the rest of the file
    await chooseAccount(database.prisma, owner, { id: connectionId, accountId: String(first) }, catalog);
  });

  it("a pasted token is checked for shape, then with Fatture in Cloud, and bound to a company; a second connection to the same company is refused on switch", async () => {
    expect(
      await appFailure(connectWithToken(database.prisma, owner, { appId: "fattureincloud", owner: "user", token: "not-a-token-at-all" }, catalog)),
    ).toMatchObject({ code: "validation_failed", message: expect.stringContaining('starts with "a/"') });
    expect(
      await appFailure(connectWithToken(database.prisma, owner, { appId: "fattureincloud", owner: "user", token: "a/forged.0123456789abcdef" }, catalog)),
    ).toMatchObject({ code: "validation_failed", message: "Fatture in Cloud did not accept this token" });
    const pasted = await connectWithToken(database.prisma, owner, { appId: "fattureincloud", owner: "user", token: fake.issueToken() }, catalog);
    expect(pasted).toMatchObject({ type: "apikey", owner: "user", accountId: String(first), accountChoices: 2 });
    await chooseAccount(database.prisma, owner, { id: pasted.id, accountId: String(second) }, catalog);
    const another = await connectWithToken(database.prisma, owner, { appId: "fattureincloud", owner: "user", token: fake.issueToken() }, catalog);
    expect(another.id).not.toBe(pasted.id);
    const twin = await appFailure(chooseAccount(database.prisma, owner, { id: another.id, accountId: String(second) }, catalog));
    expect(twin).toMatchObject({ code: "conflict", message: "Another connection already uses Bianchi Design di Luca Bianchi" });
    await database.prisma.credential.deleteMany({ where: { userId: owner.userId } });
  });
});

describe("Fatture in Cloud actions", () => {
  beforeEach(() => fake.reset());

  it("create invoice: totals first, payments that add up to the cent, number and PDF url back; the invoice is tagged with the step", async () => {
    const result = await run("fattureincloud.create_invoice", invoiceInput, { idempotencyKey: "step-key-create" });
    const out = result.output as {
      id: number;
      number: number;
      amountGross: number;
      payments: { amount: number; dueDate: string }[];
      pdfUrl: string;
      companyId: number;
    };
    // 3 × 33.33 = 99.99 + 22% = 21.9978 → 22.00; 10.01 + 10% = 1.00 → 133.00
    expect(out.amountGross).toBe(133);
    expect(out.payments.map((p) => p.amount)).toEqual([44.33, 44.33, 44.34]);
    expect(out.payments.map((p) => p.dueDate)).toEqual(["2026-10-20", "2026-11-20", "2026-12-20"]);
    expect(out.companyId).toBe(first);
    expect(result.externalRef).toBe(`${first}:${out.id}`);
    expect(fake.callsTo("getNewIssuedDocumentTotals")).toHaveLength(1);
    expect(JSON.parse(fake.callsTo("createIssuedDocument")[0]!.params.body!)).toMatchObject({ options: { fix_payments: false } });
    expect(fake.documents.get(out.id)).toMatchObject({ subject: "flowline:step-key-create", number: out.number });
    const pdf = await fetch(out.pdfUrl);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");

    const next = (
      await run("fattureincloud.create_invoice", {
        client: { name: "Nuovo Cliente S.r.l.", vatNumber: "IT11111111111" },
        items: [{ name: "Gross", price: 122, vatId: 0 }],
        prices: "gross",
      })
    ).output as { number: number; amountNet: number; client: { name: string } };
    expect(next).toMatchObject({ number: out.number + 1, amountNet: 100, client: { name: "Nuovo Cliente S.r.l." } });
  });

  it("splits payments so they always sum to the amount due", () => {
    for (const [due, n] of [
      [100, 3],
      [0.05, 2],
      [1234.57, 12],
      [10, 1],
    ] as const) {
      const sum = splitPayments(due, n, "2026-01-31", 30).reduce((s, p) => s + (p.amount ?? 0), 0);
      expect(Math.round(sum * 100)).toBe(Math.round(due * 100));
    }
  });

  it("maps 422 to E_VALIDATION naming each field, the payments mismatch included, and 403s to non-retryable errors with Fatture in Cloud's message", async () => {
    const invalid = await workflowFailure(run("fattureincloud.create_invoice", { clientId: 999, items: [{ name: "X", price: 1, vatId: 77 }] }));
    expect(invalid.code).toBe("E_VALIDATION");
    expect(invalid.message).toContain("items_list.0.vat.id: Aliquota IVA non valida");
    fake.fail("createIssuedDocument", { type: "error", error: "payments_mismatch" });
    const mismatch = await workflowFailure(run("fattureincloud.create_invoice", invoiceInput));
    expect(mismatch).toMatchObject({ code: "E_VALIDATION", retryable: false });
    expect(mismatch.message).toContain("payments_list: Il totale dei pagamenti non corrisponde al totale da pagare");
    fake.fail("createIssuedDocument", { type: "error", error: "license_expired" });
    const licence = await workflowFailure(run("fattureincloud.create_invoice", invoiceInput));
    expect(licence).toMatchObject({ code: "E_CREDENTIAL_SCOPE", retryable: false, message: "Fatture in Cloud refused: License expired." });
    expect(licence.remediation).toMatch(/Renew the Fatture in Cloud licence/);
    fake.fail("listIssuedDocuments", { type: "error", error: "quota_exceeded" });
    expect((await workflowFailure(run("fattureincloud.list_invoices", {}))).remediation).toMatch(/quota is used up/);
    const missing = await workflowFailure(run("fattureincloud.update_status", { invoiceId: 1, status: "paid", paymentAccountId: 110 }));
    expect(missing.code).toBe("E_NOT_FOUND");
    expect((await database.prisma.credential.findUniqueOrThrow({ where: { id: connectionId } })).status).toBe("connected");
  });

  it("marks paid (date and account) and undo restores the previous status; marking paid without an account is refused before calling", async () => {
    const created = (await run("fattureincloud.create_invoice", { ...invoiceInput, installments: 2 })).output as { id: number };
    expect((await workflowFailure(run("fattureincloud.update_status", { invoiceId: created.id, status: "paid" }))).message).toMatch(/^paymentAccountId: /);
    const paid = await run("fattureincloud.update_status", {
      invoiceId: String(created.id),
      status: "paid",
      paidDate: "2026-11-25",
      paymentAccountId: "110",
      payment: 1,
    });
    expect(paid.output).toMatchObject({
      changed: 1,
      paid: false,
      payments: [{ status: "paid", paidDate: "2026-11-25", accountId: 110 }, { status: "not_paid" }],
    });
    const all = await run("fattureincloud.update_status", { invoiceId: created.id, status: "paid", paymentAccountId: 111 });
    expect(all.output).toMatchObject({ changed: 1, paid: true });
    const undo = () =>
      undoEffect(database.prisma, {
        companyId: owner.companyId,
        userId: owner.userId,
        ...target("fattureincloud.update_status"),
        connectionId,
        externalRef: all.externalRef!,
      });
    await undo();
    await undo();
    expect(fake.documents.get(created.id)!.payments_list.map((p) => [p.status, p.paid_date, p.payment_account?.id ?? null])).toEqual([
      ["paid", "2026-11-25", 110],
      ["not_paid", null, null],
    ]);
  });

  it("marks a paid payment reversed (insoluto), the API's third payment status, and undo makes it paid again", async () => {
    const created = (await run("fattureincloud.create_invoice", invoiceInput)).output as { id: number };
    await run("fattureincloud.update_status", { invoiceId: created.id, status: "paid", paidDate: "2026-11-20", paymentAccountId: 110 });
    const reversed = await run("fattureincloud.update_status", { invoiceId: created.id, status: "reversed" });
    const count = fake.documents.get(created.id)!.payments_list.length;
    expect(reversed.output).toMatchObject({ changed: count, paid: false });
    expect(fake.documents.get(created.id)!.payments_list.map((p) => [p.status, p.paid_date ?? null])).toEqual(Array(count).fill(["reversed", null]));
    await undoEffect(database.prisma, {
      companyId: owner.companyId,
      userId: owner.userId,
      ...target("fattureincloud.update_status"),
      connectionId,
      externalRef: reversed.externalRef!,
    });
    expect(fake.documents.get(created.id)!.payments_list.map((p) => [p.status, p.paid_date, p.payment_account?.id ?? null])).toEqual(
      Array(count).fill(["paid", "2026-11-20", 110]),
    );
  });

  it("sends the PDF by email through Fatture in Cloud, and refuses a bad address naming the field", async () => {
    const created = (await run("fattureincloud.create_invoice", invoiceInput)).output as { id: number; number: number };
    const sent = await run("fattureincloud.send_pdf", {
      invoiceId: created.id,
      recipient: "amministrazione@maryred.it",
      subject: `Fattura n. ${created.number}`,
      body: "In allegato la fattura.",
    });
    expect(sent.output).toEqual({ invoiceId: created.id, recipient: "amministrazione@maryred.it", subject: `Fattura n. ${created.number}`, attachedPdf: true });
    expect(fake.documents.get(created.id)!.emails).toEqual([
      { recipient_email: "amministrazione@maryred.it", subject: `Fattura n. ${created.number}`, body: "In allegato la fattura.", attach_pdf: true },
    ]);
    const cannot = await workflowFailure(
      undoEffect(database.prisma, { companyId: owner.companyId, userId: owner.userId, ...target("fattureincloud.send_pdf"), connectionId, externalRef: "" }),
    );
    expect(cannot.message).toMatch(/cannot be undone automatically \(manual\)/);
    fake.fail("scheduleEmail", { type: "http", status: 422 });
    expect((await workflowFailure(run("fattureincloud.send_pdf", { invoiceId: created.id, recipient: "a@b.it", subject: "s", body: "b" }))).code).toBe(
      "E_VALIDATION",
    );
  });

  it("lists invoices by dates, client name and status, a page at a time", async () => {
    const page = async (input: Record<string, unknown>) =>
      (await run("fattureincloud.list_invoices", input)).output as {
        invoices: { id: number; client: { name: string }; paid: boolean }[];
        total: number;
        hasMore: boolean;
        lastPage: number;
      };
    const all = await page({ from: "2026-01-01", to: "2026-12-31", perPage: 2 });
    expect(all.total).toBe([...fake.documents.values()].filter((d) => d.companyId === first && d.date.startsWith("2026")).length);
    expect(all.invoices).toHaveLength(2);
    expect(all.hasMore).toBe(true);
    expect(fake.callsTo("listIssuedDocuments")[0]!.params).toMatchObject({
      type: "invoice",
      q: "date >= '2026-01-01' and date <= '2026-12-31'",
      per_page: "2",
      page: "1",
    });
    const byName = await page({ search: "Nuovo" });
    expect(byName.invoices.map((i) => i.client.name)).toEqual(["Nuovo Cliente S.r.l."]);
    const unpaid = await page({ status: "not_paid", perPage: 100 });
    expect(unpaid.invoices.every((i) => !i.paid)).toBe(true);
    expect((await page({ from: "2030-01-01" })).invoices).toEqual([]);
  });

  it("undo of a created invoice deletes it (twice is fine); reconcile finds an invoice by its step tag, or says it was not made", async () => {
    const made = await run("fattureincloud.create_invoice", invoiceInput, { idempotencyKey: "crash-key" });
    const id = (made.output as { id: number }).id;
    const { runId, stepId } = await createRun(database.prisma, owner);
    const check = (key: string) =>
      reconcileIntegrationAction(database.prisma, {
        companyId: owner.companyId,
        userId: owner.userId,
        ...target("fattureincloud.create_invoice"),
        input: invoiceInput,
        runId,
        stepId,
        idempotencyKey: key,
        connectionId,
      });
    expect(await check("crash-key")).toMatchObject({ outcome: "done", output: { id } });
    expect(await check("never-ran")).toEqual({ outcome: "not_done" });
    fake.fail("listIssuedDocuments", { type: "http", status: 503 });
    // a check that cannot be made is an error of the taxonomy, for the engine to handle
    expect((await workflowFailure(check("crash-key"))).code).toBe("E_PROVIDER");
    const undo = () =>
      undoEffect(database.prisma, {
        companyId: owner.companyId,
        userId: owner.userId,
        ...target("fattureincloud.create_invoice"),
        connectionId,
        externalRef: made.externalRef!,
      });
    await undo();
    await undo();
    expect(fake.documents.has(id)).toBe(false);
    const elsewhere = await workflowFailure(
      undoEffect(database.prisma, {
        companyId: owner.companyId,
        userId: owner.userId,
        ...target("fattureincloud.create_invoice"),
        connectionId,
        externalRef: `${second}:${id}`,
      }),
    );
    expect(elsewhere.message).toMatch(/made in Fatture in Cloud company 1000002/);
  });

  it("fills the pickers with the connection's company: clients (search, pages), VAT types, payment methods and accounts, numerations, companies", async () => {
    const load = (loader: string, extra: Record<string, unknown> = {}) =>
      loadOptions(database.prisma, owner, { loader: `fattureincloud.${loader}`, connectionId, ...extra }, catalog);
    expect((await load("clients", { search: "verdi" })).options).toEqual([{ value: "54322", label: "Verdi Costruzioni S.p.A.", description: "IT07654321098" }]);
    expect((await load("clients")).options.map((o) => o.label)).toEqual(["Mary Red S.r.L.", "Verdi Costruzioni S.p.A.", "Gialli Ristorazione"]);
    expect((await load("vat_types")).options[0]).toEqual({ value: "0", label: "22%", description: "22%" });
    expect((await load("payment_methods")).options.map((o) => o.label)).toEqual(["Bonifico bancario", "Contanti"]);
    expect((await load("payment_accounts")).options.map((o) => o.value)).toEqual(["110", "111"]);
    expect((await load("numerations")).options).toEqual([
      { value: "", label: "Main numeration" },
      { value: "/A", label: "/A" },
    ]);
    expect((await load("companies")).options.map((o) => o.value)).toEqual([String(first), String(second)]);
  });
});
