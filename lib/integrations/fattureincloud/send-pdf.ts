import { z } from "zod";
import { formattedString } from "@/lib/integrations/fields";
import { defineAction } from "@/lib/integrations/types";
import { ficRateLimit, type FicClient } from "./client";
import { callOptions, idField, toId } from "./shared";

const config = z.object({
  invoiceId: idField("Invoice", "Use an invoice id, e.g. {{step.invoice.output.id}}").meta({
    ui: { label: "Invoice", widget: "expression", placeholder: "{{step.invoice.output.id}}" },
  }),
  recipient: formattedString(z.email(), "Use an email address").meta({ ui: { label: "To", widget: "text", placeholder: "amministrazione@cliente.it" } }),
  subject: z
    .string()
    .min(1, "Write a subject")
    .max(300)
    .meta({ ui: { label: "Subject", widget: "text", placeholder: "Fattura n. {{step.invoice.output.number}}" } }),
  body: z
    .string()
    .min(1, "Write the message")
    .max(10_000)
    .meta({ ui: { label: "Message", widget: "multiline" } }),
  attachPdf: z
    .boolean()
    .default(true)
    .meta({ ui: { label: "Attach the PDF", widget: "boolean" } }),
  senderEmail: formattedString(z.email(), "Use an email address")
    .optional()
    .meta({ ui: { label: "From", widget: "text", help: "A sender address verified in Fatture in Cloud; its default sender when empty", advanced: true } }),
  sendCopy: z
    .boolean()
    .default(false)
    .meta({ ui: { label: "Send me a copy", widget: "boolean", advanced: true } }),
});

const output = z.object({ invoiceId: z.number(), recipient: z.string(), subject: z.string(), attachedPdf: z.boolean() });

export const sendPdf = defineAction<FicClient, typeof config, typeof output>({
  id: "send_pdf",
  name: "Send invoice by email",
  description: "Fatture in Cloud emails the invoice to a recipient, with the PDF attached. An email cannot be unsent.",
  config,
  example: {
    invoiceId: "{{step.invoice.output.id}}",
    recipient: "amministrazione@cliente.it",
    subject: "Fattura n. {{step.invoice.output.number}}",
    body: "Gentile cliente, in allegato la fattura.",
    attachPdf: true,
    sendCopy: false,
  },
  output,
  effectful: true,
  idempotency: "none",
  // An email cannot be unsent: undo is a person's job (write to the recipient).
  undo: {
    strategy: "manual",
    describe: ({ output }) =>
      `An email cannot be unsent: write to ${output?.recipient ?? "the recipient"} that the invoice${output ? ` (id ${output.invoiceId})` : ""} sent by email is void`,
  },
  rateLimit: ficRateLimit,
  preview: (input) => ({
    invoiceId: typeof input.invoiceId === "number" ? input.invoiceId : 0,
    recipient: input.recipient,
    subject: input.subject,
    attachedPdf: input.attachPdf,
  }),
  async execute(ctx, input) {
    const invoiceId = toId(input.invoiceId, "invoiceId");
    await ctx.client.documents.scheduleEmail(
      ctx.client.companyId(),
      invoiceId,
      {
        data: {
          recipient_email: input.recipient,
          subject: input.subject,
          body: input.body,
          include: { document: true, delivery_note: false, attachment: false, accompanying_invoice: false },
          attach_pdf: input.attachPdf,
          send_copy: input.sendCopy,
          ...(input.senderEmail ? { sender_email: input.senderEmail } : {}),
        },
      },
      callOptions(ctx.signal),
    );
    return { invoiceId, recipient: input.recipient, subject: input.subject, attachedPdf: input.attachPdf };
  },
});
