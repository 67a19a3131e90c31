import type { IssuedDocument, IssuedDocumentPaymentsListItem } from "@fattureincloud/fattureincloud-ts-sdk";
import { z } from "zod";
import { WorkflowError } from "@/lib/workflow/errors";
import { valueOrExpression } from "@/lib/integrations/fields";
import { defineAction } from "@/lib/integrations/types";
import { body, ficRateLimit, type FicClient } from "./client";
import { callOptions, dateField, documentRef, idField, invoiceOutput, parseDocumentRef, previewInvoice, stepTag, toId, toInvoice } from "./shared";

const round2 = (n: number) => Math.round((n + Number.EPSILON) * 100) / 100;

const item = z
  .object({
    name: z.string().min(1, "Name the item"),
    description: z.string().optional(),
    qty: z.number().positive().default(1),
    price: z.number().describe("Unit price, net or gross of VAT as the invoice's prices say"),
    vatId: z.number().int().min(0).describe("A VAT type id (the VAT types picker)"),
    discount: z.number().min(0).max(100).optional().describe("Percent"),
  })
  .strict();

const newClient = z
  .object({
    name: z.string().min(1, "Name the client"),
    vatNumber: z.string().optional(),
    taxCode: z.string().optional(),
    email: z.string().optional(),
    addressStreet: z.string().optional(),
    addressCity: z.string().optional(),
    addressPostalCode: z.string().optional(),
    addressProvince: z.string().optional(),
    country: z.string().optional(),
    type: z.enum(["company", "person", "pa", "condo"]).optional(),
  })
  .strict();

const config = z
  .object({
    clientId: idField("Client", "Use a client id from the picker")
      .optional()
      .meta({ ui: { label: "Client", widget: "options", loader: "fattureincloud.clients", help: "An existing client; or give a new client's details below" } }),
    client: valueOrExpression(newClient)
      .optional()
      .meta({
        ui: { label: "Or a new client", widget: "json", help: 'Details of a client not in Fatture in Cloud: {"name": "…", "vatNumber": "IT…", "email": "…"}' },
      }),
    items: valueOrExpression(z.array(item).min(1, "Add at least one item").max(200))
      .describe('e.g. [{"name": "Consulenza", "qty": 2, "price": 100, "vatId": 0}]')
      .meta({ ui: { label: "Items", widget: "json", help: "Each item: name, qty, price (net or gross as below) and vatId (from the VAT types list)" } }),
    prices: z
      .enum(["net", "gross"])
      .default("net")
      .meta({
        ui: {
          label: "Prices are",
          widget: "select",
          choices: [
            { value: "net", label: "Net of VAT" },
            { value: "gross", label: "Gross (VAT included)" },
          ],
        },
      }),
    date: dateField.optional().meta({ ui: { label: "Date", placeholder: "2026-12-01", help: "Defaults to today", widget: "text" } }),
    numeration: z
      .string()
      .max(20)
      .optional()
      .meta({ ui: { label: "Numeration", widget: "options", loader: "fattureincloud.numerations", advanced: true } }),
    paymentMethodId: idField("Payment method", "Use a payment method id from the picker")
      .optional()
      .meta({ ui: { label: "Payment method", widget: "options", loader: "fattureincloud.payment_methods", advanced: true } }),
    dueInDays: valueOrExpression(z.number().int().min(0).max(365))
      .default(30)
      .meta({ ui: { label: "Due in (days)", widget: "number", help: "Days from the invoice date to the (last) payment" } }),
    installments: valueOrExpression(z.number().int().min(1).max(12))
      .default(1)
      .meta({
        ui: {
          label: "Installments",
          widget: "number",
          help: "Split the total into this many monthly payments; they always add up to the total",
          advanced: true,
        },
      }),
    subject: z
      .string()
      .max(500)
      .optional()
      .meta({ ui: { label: "Subject", widget: "text", help: "Printed on the invoice" } }),
    notes: z
      .string()
      .max(5_000)
      .optional()
      .meta({ ui: { label: "Notes", widget: "multiline", advanced: true } }),
  })
  .refine((c) => (c.clientId === undefined) !== (c.client === undefined), {
    message: "Choose a client, or give a new client's details, not both",
    path: ["clientId"],
  })
  .meta({ oneOf: [{ required: ["clientId"] }, { required: ["client"] }] });

type Config = z.output<typeof config>;

function entityOf(input: Config): IssuedDocument["entity"] {
  if (input.clientId !== undefined) return { id: toId(input.clientId, "clientId") };
  const client = newClient.safeParse(input.client);
  if (!client.success)
    throw new WorkflowError("E_VALIDATION", {
      message: `The new client's details are not valid: ${client.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    });
  const c = client.data;
  return {
    name: c.name,
    ...(c.vatNumber ? { vat_number: c.vatNumber } : {}),
    ...(c.taxCode ? { tax_code: c.taxCode } : {}),
    ...(c.email ? { email: c.email } : {}),
    ...(c.addressStreet ? { address_street: c.addressStreet } : {}),
    ...(c.addressCity ? { address_city: c.addressCity } : {}),
    ...(c.addressPostalCode ? { address_postal_code: c.addressPostalCode } : {}),
    ...(c.addressProvince ? { address_province: c.addressProvince } : {}),
    ...(c.country ? { country: c.country } : {}),
    ...(c.type ? { type: c.type as never } : {}),
  };
}

function itemsOf(input: Config): NonNullable<IssuedDocument["items_list"]> {
  const items = z.array(item).min(1).safeParse(input.items);
  if (!items.success)
    throw new WorkflowError("E_VALIDATION", {
      message: `The items are not valid: ${items.error.issues.map((i) => `items.${i.path.join(".")}: ${i.message}`).join("; ")}`,
    });
  return items.data.map((i) => ({
    name: i.name,
    ...(i.description ? { description: i.description } : {}),
    qty: i.qty,
    [input.prices === "gross" ? "gross_price" : "net_price"]: i.price,
    vat: { id: i.vatId },
    ...(i.discount ? { discount: i.discount } : {}),
  }));
}

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const addMonths = (date: string, months: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
};

/**
 * Payments that add up to the amount due to the cent (the last one takes the rounding), so the
 * API never answers "Il totale dei pagamenti non corrisponde al totale da pagare".
 */
export function splitPayments(amountDue: number, installments: number, date: string, dueInDays: number): IssuedDocumentPaymentsListItem[] {
  const share = Math.floor((amountDue / installments) * 100) / 100;
  return Array.from({ length: installments }, (_, i) => ({
    amount: i === installments - 1 ? round2(amountDue - share * (installments - 1)) : share,
    due_date: addMonths(addDays(date, dueInDays), i - (installments - 1)),
    status: "not_paid" as never,
  }));
}

const today = () => new Date().toISOString().slice(0, 10);

async function findTagged(client: FicClient, tag: string, signal: AbortSignal) {
  const list = body(
    await client.documents.listIssuedDocuments(
      client.companyId(),
      "invoice",
      undefined,
      "detailed",
      "-date",
      1,
      5,
      `subject = '${tag}'`,
      undefined,
      callOptions(signal),
    ),
  );
  return list.data?.find((d) => d.subject === tag) ?? null;
}

export const createInvoice = defineAction<FicClient, typeof config, typeof invoiceOutput>({
  id: "create_invoice",
  name: "Create invoice",
  description:
    "Creates an invoice for a client with its items and VAT; the payments are computed to add up to the total. Returns its number, totals and the PDF address.",
  config,
  example: { clientId: 54321, items: [{ name: "Consulenza", qty: 2, price: 100, vatId: 0 }], prices: "net", dueInDays: 30, installments: 1 },
  output: invoiceOutput,
  effectful: true,
  // No idempotency key at Fatture in Cloud: the invoice is tagged with the step's key and reconcile finds it.
  idempotency: "none",
  undo: {
    strategy: "api_delete",
    async run(ctx, externalRef) {
      const { companyId, documentId } = parseDocumentRef(externalRef, ctx.client.companyId());
      try {
        await ctx.client.documents.deleteIssuedDocument(companyId, documentId, callOptions(ctx.signal));
      } catch (error) {
        // Already deleted: nothing left to undo.
        if ((error as { response?: { status?: number } }).response?.status === 404) return;
        throw error;
      }
    },
    link: ({ output }) => output?.pdfUrl ?? null,
    describe: ({ output }) => (output ? `Delete invoice ${output.number ?? output.id}${output.numeration}` : "Delete the invoice"),
  },
  externalRef: (out) => documentRef(out.companyId, out.id),
  rateLimit: ficRateLimit,
  preview: (input) =>
    previewInvoice({
      client: { id: typeof input.clientId === "number" ? input.clientId : null, name: (input.client as { name?: string } | undefined)?.name ?? "Client" },
    }),
  async execute(ctx, input) {
    const companyId = ctx.client.companyId();
    const date = input.date ?? today();
    const data: IssuedDocument = {
      type: "invoice" as never,
      entity: entityOf(input),
      date,
      items_list: itemsOf(input),
      use_gross_prices: input.prices === "gross",
      subject: stepTag(ctx.idempotencyKey),
      ...(input.subject ? { visible_subject: input.subject } : {}),
      ...(input.notes ? { notes: input.notes } : {}),
      ...(input.numeration !== undefined ? { numeration: input.numeration } : {}),
      ...(input.paymentMethodId !== undefined ? { payment_method: { id: toId(input.paymentMethodId, "paymentMethodId") } } : {}),
    };
    const totals = body(await ctx.client.documents.getNewIssuedDocumentTotals(companyId, { data }, callOptions(ctx.signal))).data;
    const due = totals?.amount_due ?? totals?.amount_gross;
    if (typeof due !== "number") throw new WorkflowError("E_PROVIDER", { message: "Fatture in Cloud's totals did not include the amount due" });
    const payments = splitPayments(due, Number(input.installments), date, Number(input.dueInDays));
    const created = body(
      await ctx.client.documents.createIssuedDocument(
        companyId,
        { data: { ...data, payments_list: payments }, options: { fix_payments: false } },
        callOptions(ctx.signal),
      ),
    ).data;
    if (!created?.id) throw new WorkflowError("E_PROVIDER", { message: "Fatture in Cloud did not return the new invoice's id" });
    return toInvoice(created, companyId);
  },
  async reconcile(ctx) {
    const found = await findTagged(ctx.client, stepTag(ctx.idempotencyKey), ctx.signal);
    return found ? toInvoice(found, ctx.client.companyId()) : null;
  },
});
