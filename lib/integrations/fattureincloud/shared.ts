import type { IssuedDocument } from "@fattureincloud/fattureincloud-ts-sdk";
import { z } from "zod";
import { WorkflowError } from "@/lib/workflow/errors";
import { formattedString } from "@/lib/integrations/fields";

// Pieces the Fatture in Cloud actions share: id and date fields, the invoice output, references
// to documents (bound to the company they were made in) and the step tag on created invoices.

/** An id from a picker or an earlier step: a number, or digits, or one {{…}} expression. */
export const idField = (label: string, message: string) =>
  z.union([z.number().int().positive(), formattedString(z.string().regex(/^\d+$/), message)]).meta({ ui: { label, widget: "expression" } });

export const toId = (value: number | string, what: string): number => {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new WorkflowError("E_VALIDATION", { message: `${what} must be a Fatture in Cloud id (digits), got "${value}"` });
  return id;
};

export const dateField = formattedString(z.string().regex(/^\d{4}-\d{2}-\d{2}$/), "Use a date as YYYY-MM-DD");

export const paymentOutput = z.object({
  id: z.number().nullable(),
  amount: z.number(),
  dueDate: z.string().nullable(),
  status: z.string(),
  paidDate: z.string().nullable(),
  accountId: z.number().nullable(),
});

export const invoiceOutput = z.object({
  id: z.number().describe("The invoice's id in Fatture in Cloud"),
  companyId: z.number().describe("The Fatture in Cloud company it belongs to"),
  number: z.number().nullable().describe("Its number in the numeration, e.g. 12"),
  numeration: z.string().describe('The numeration suffix, e.g. "/A" ("" for the main one)'),
  date: z.string().nullable(),
  client: z.object({ id: z.number().nullable(), name: z.string() }),
  amountNet: z.number(),
  amountVat: z.number(),
  amountGross: z.number().describe("The total to pay"),
  pdfUrl: z.string().nullable().describe("The PDF's address (short-lived: use it in the next steps of the run)"),
  paid: z.boolean().describe("Every payment is paid"),
  payments: z.array(paymentOutput),
});
export type InvoiceOutput = z.infer<typeof invoiceOutput>;

export function toInvoice(doc: IssuedDocument, companyId: number): InvoiceOutput {
  const payments = (doc.payments_list ?? []).map((p) => ({
    id: p.id ?? null,
    amount: p.amount ?? 0,
    dueDate: p.due_date ?? null,
    status: String(p.status ?? "not_paid"),
    paidDate: p.paid_date ?? null,
    accountId: p.payment_account?.id ?? null,
  }));
  return {
    id: doc.id ?? 0,
    companyId,
    number: doc.number ?? null,
    numeration: doc.numeration ?? "",
    date: doc.date ?? null,
    client: { id: doc.entity?.id ?? null, name: doc.entity?.name ?? "" },
    amountNet: doc.amount_net ?? 0,
    amountVat: doc.amount_vat ?? 0,
    amountGross: doc.amount_gross ?? 0,
    pdfUrl: doc.url ?? null,
    paid: payments.length > 0 && payments.every((p) => p.status === "paid"),
    payments,
  };
}

export const previewInvoice = (overrides: Partial<InvoiceOutput> = {}): InvoiceOutput => ({
  id: 0,
  companyId: 0,
  number: 0,
  numeration: "",
  date: "2026-01-01",
  client: { id: null, name: "Preview client" },
  amountNet: 0,
  amountVat: 0,
  amountGross: 0,
  pdfUrl: null,
  paid: false,
  payments: [],
  ...overrides,
});

/** "<company>:<document>": undo must act in the company the document was made in. */
export const documentRef = (companyId: number, documentId: number) => `${companyId}:${documentId}`;

export function parseDocumentRef(ref: string, connectionCompany: number): { companyId: number; documentId: number; rest: string[] } {
  const [company, document, ...rest] = ref.split(":");
  const companyId = Number(company);
  const documentId = Number(document);
  if (!Number.isSafeInteger(companyId) || !Number.isSafeInteger(documentId))
    throw new WorkflowError("E_VALIDATION", { message: `Not a Fatture in Cloud document reference: ${ref}` });
  if (companyId !== connectionCompany) {
    throw new WorkflowError("E_VALIDATION", {
      message: `The document was made in Fatture in Cloud company ${companyId}, but the connection is now bound to company ${connectionCompany}`,
      remediation: "Switch the connection back to that company in Settings > Integrations, or undo it by hand in Fatture in Cloud",
    });
  }
  return { companyId, documentId, rest };
}

/**
 * Fatture in Cloud has no idempotency key, so a created invoice carries the step's key in its
 * internal subject (not printed on the document): after a crash, reconcile finds it by that.
 */
export const stepTag = (idempotencyKey: string) => `flowline:${idempotencyKey.slice(0, 48)}`;

/** An SDK call's options: the step's abort signal. */
export const callOptions = (signal: AbortSignal) => ({ signal });
