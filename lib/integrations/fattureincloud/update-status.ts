import type { IssuedDocumentPaymentsListItem } from "@fattureincloud/fattureincloud-ts-sdk";
import { z } from "zod";
import { WorkflowError } from "@/lib/workflow/errors";
import { valueOrExpression } from "@/lib/integrations/fields";
import { defineAction } from "@/lib/integrations/types";
import { body, ficRateLimit, type FicClient } from "./client";
import { callOptions, dateField, documentRef, idField, invoiceOutput, parseDocumentRef, toId, toInvoice } from "./shared";

// Marks an invoice's payments paid / not paid / reversed (PUT with payments_list). The previous
// state of each payment rides in the effect's reference, so undo puts it back (api_update).

const statuses = [
  { value: "paid", label: "Paid" },
  { value: "not_paid", label: "Not paid" },
  { value: "reversed", label: "Reversed (insoluto)" },
];

const config = z.object({
  invoiceId: idField("Invoice", "Use an invoice id, e.g. {{step.invoice.output.id}}").meta({
    ui: { label: "Invoice", widget: "expression", placeholder: "{{step.invoice.output.id}}" },
  }),
  status: z
    .enum(["paid", "not_paid", "reversed"])
    .default("paid")
    .meta({ ui: { label: "Status", widget: "select", choices: statuses } }),
  paidDate: dateField.optional().meta({ ui: { label: "Paid on", widget: "text", placeholder: "2026-12-01", help: "Defaults to today when marking paid" } }),
  paymentAccountId: idField("Into account", "Use a payment account id from the picker")
    .optional()
    .meta({
      ui: {
        label: "Into account",
        widget: "options",
        loader: "fattureincloud.payment_accounts",
        help: "Required to mark paid: the account the money went into",
      },
    }),
  payment: valueOrExpression(z.number().int().min(1))
    .optional()
    .meta({ ui: { label: "Which payment", widget: "number", help: "The installment number (1 for the first); every payment when empty", advanced: true } }),
});

const snapshotSchema = z.object({
  id: z.number().nullable(),
  status: z.string(),
  paid_date: z.string().nullable(),
  payment_account: z.object({ id: z.number() }).nullable(),
});
const output = invoiceOutput.extend({
  changed: z.number().describe("How many payments changed"),
  previous: z.array(snapshotSchema).describe("The payments as they were, for undo"),
});

type Snapshot = z.infer<typeof snapshotSchema>;
const snapshot = (p: IssuedDocumentPaymentsListItem): Snapshot => ({
  id: p.id ?? null,
  status: String(p.status ?? "not_paid"),
  paid_date: p.paid_date ?? null,
  payment_account: p.payment_account?.id ? { id: p.payment_account.id } : null,
});
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const decode = (value: string) => JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Snapshot[];

const today = () => new Date().toISOString().slice(0, 10);

export const updateStatus = defineAction<FicClient, typeof config, typeof output>({
  id: "update_status",
  name: "Update payment status",
  description: "Marks an invoice's payments paid (with the date and the account) or not paid; undo restores the previous status.",
  config,
  example: { invoiceId: "{{step.invoice.output.id}}", status: "paid", paymentAccountId: 110 },
  output,
  effectful: true,
  // Setting a status twice leaves the same status.
  idempotency: "natural",
  undo: {
    strategy: "api_update",
    async run(ctx, externalRef) {
      const { companyId, documentId, rest } = parseDocumentRef(externalRef, ctx.client.companyId());
      const previous = decode(rest.join(":"));
      try {
        await ctx.client.documents.modifyIssuedDocument(
          companyId,
          documentId,
          { data: { payments_list: previous as unknown as IssuedDocumentPaymentsListItem[] } },
          callOptions(ctx.signal),
        );
      } catch (error) {
        if ((error as { response?: { status?: number } }).response?.status === 404) return;
        throw error;
      }
    },
    describe: ({ output }) => `Restore the previous payment status${output ? ` of invoice ${output.number ?? output.id}${output.numeration}` : ""}`,
  },
  externalRef: (out) => documentRef(out.companyId, out.id) + `:${encode(out.previous)}`,
  rateLimit: ficRateLimit,
  preview: (input) => ({
    id: typeof input.invoiceId === "number" ? input.invoiceId : 0,
    companyId: 0,
    number: 0,
    numeration: "",
    date: null,
    client: { id: null, name: "Preview client" },
    amountNet: 0,
    amountVat: 0,
    amountGross: 0,
    pdfUrl: null,
    paid: input.status === "paid",
    payments: [],
    changed: 0,
    previous: [],
  }),
  async execute(ctx, input) {
    const companyId = ctx.client.companyId();
    const invoiceId = toId(input.invoiceId, "invoiceId");
    if (input.status === "paid" && input.paymentAccountId === undefined) {
      throw new WorkflowError("E_VALIDATION", {
        message: "paymentAccountId: choose the account the payment went into (Fatture in Cloud requires it to mark a payment paid)",
        details: { issues: [{ path: "paymentAccountId", message: "Required to mark paid" }] },
      });
    }
    const current = body(await ctx.client.documents.getIssuedDocument(companyId, invoiceId, undefined, "detailed", callOptions(ctx.signal))).data;
    const payments = current?.payments_list ?? [];
    const target = input.payment === undefined ? null : Number(input.payment) - 1;
    if (target !== null && !payments[target])
      throw new WorkflowError("E_VALIDATION", { message: `payment: the invoice has ${payments.length} payment(s), there is no payment ${Number(target) + 1}` });
    const account = input.paymentAccountId !== undefined ? { id: toId(input.paymentAccountId, "paymentAccountId") } : null;
    let changed = 0;
    const next = payments.map((p, i) => {
      if (target !== null && i !== target) return snapshot(p);
      if (p.status === input.status) return snapshot(p);
      changed++;
      return input.status === "paid"
        ? { ...snapshot(p), status: "paid", paid_date: input.paidDate ?? today(), payment_account: account }
        : { ...snapshot(p), status: input.status, paid_date: null, payment_account: null };
    });
    const updated = body(
      await ctx.client.documents.modifyIssuedDocument(
        companyId,
        invoiceId,
        { data: { payments_list: next as unknown as IssuedDocumentPaymentsListItem[] } },
        callOptions(ctx.signal),
      ),
    ).data;
    return { ...toInvoice(updated ?? current ?? {}, companyId), changed, previous: payments.map(snapshot) };
  },
});
