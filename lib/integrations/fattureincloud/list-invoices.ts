import { z } from "zod";
import { valueOrExpression } from "@/lib/integrations/fields";
import { defineAction } from "@/lib/integrations/types";
import { body, ficRateLimit, type FicClient } from "./client";
import { callOptions, dateField, invoiceOutput, toInvoice } from "./shared";

// One page of invoices, newest first, filtered at Fatture in Cloud by date and client name (its
// `q` filter). The payment status is not a document field there, so it narrows the page read.

const config = z.object({
  from: dateField.optional().meta({ ui: { label: "From", widget: "text", placeholder: "2026-01-01" } }),
  to: dateField.optional().meta({ ui: { label: "To", widget: "text", placeholder: "2026-12-31" } }),
  search: z
    .string()
    .max(100)
    .optional()
    .meta({ ui: { label: "Client name contains", widget: "text" } }),
  status: z
    .enum(["any", "paid", "not_paid"])
    .default("any")
    .meta({
      ui: {
        label: "Status",
        widget: "select",
        choices: [
          { value: "any", label: "Any" },
          { value: "paid", label: "Paid" },
          { value: "not_paid", label: "Not (fully) paid" },
        ],
      },
    }),
  page: valueOrExpression(z.number().int().min(1))
    .default(1)
    .meta({ ui: { label: "Page", widget: "number", advanced: true } }),
  perPage: valueOrExpression(z.number().int().min(1).max(100))
    .default(50)
    .meta({ ui: { label: "Per page", widget: "number", advanced: true } }),
});

const output = z.object({
  invoices: z.array(invoiceOutput).describe("Loop over this list"),
  page: z.number(),
  lastPage: z.number(),
  total: z.number().describe("Invoices matching the dates and search, all pages"),
  hasMore: z.boolean(),
});

const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;

export const listInvoices = defineAction<FicClient, typeof config, typeof output>({
  id: "list_invoices",
  name: "List invoices",
  description: "Lists invoices by date range, client name and payment status, a page at a time; later steps can loop over the list.",
  config,
  example: { from: "2026-01-01", to: "2026-12-31", status: "not_paid", page: 1, perPage: 50 },
  output,
  effectful: false,
  idempotency: "natural",
  undo: { strategy: "none" },
  rateLimit: ficRateLimit,
  preview: (input) => ({ invoices: [], page: Number(input.page) || 1, lastPage: 1, total: 0, hasMore: false }),
  async execute(ctx, input) {
    const companyId = ctx.client.companyId();
    const clauses = [
      ...(input.from ? [`date >= ${quote(input.from)}`] : []),
      ...(input.to ? [`date <= ${quote(input.to)}`] : []),
      ...(input.search?.trim() ? [`entity.name like ${quote(`%${input.search.trim()}%`)}`] : []),
    ];
    const page = Number(input.page);
    const result = body(
      await ctx.client.documents.listIssuedDocuments(
        companyId,
        "invoice",
        undefined,
        "detailed",
        "-date",
        page,
        Number(input.perPage),
        clauses.join(" and ") || undefined,
        undefined,
        callOptions(ctx.signal),
      ),
    );
    const invoices = (result.data ?? [])
      .map((doc) => toInvoice(doc, companyId))
      .filter((i) => input.status === "any" || (input.status === "paid" ? i.paid : !i.paid));
    const lastPage = result.last_page ?? page;
    return { invoices, page: result.current_page ?? page, lastPage, total: result.total ?? invoices.length, hasMore: (result.current_page ?? page) < lastPage };
  },
});
