import { z } from "zod";
import type { TriggerTypeSpec } from "@/lib/workflow/trigger-types";

// An email received at the workflow's inbound address (Resend inbound; lib/triggers/email-receiver.ts).
export const emailInboundTrigger = {
  type: "email.inbound",
  label: "Email received",
  description: "Started by an email received at the workflow's inbound address (through Resend)",
  config: z.object({
    fromContains: z
      .string()
      .max(320)
      .optional()
      .meta({
        ui: {
          label: "Only from",
          help: "Start only for senders whose address contains this text",
          placeholder: "@supplier.com",
          widget: "text",
          advanced: true,
        },
      }),
    subjectContains: z
      .string()
      .max(500)
      .optional()
      .meta({ ui: { label: "Only when the subject contains", placeholder: "Invoice", widget: "text", advanced: true } }),
  }),
  payload: z.object({
    from: z.string().describe("The sender, e.g. Acme <billing@acme.example>"),
    to: z.array(z.string()).describe("The recipients"),
    cc: z.array(z.string()),
    subject: z.string(),
    text: z.string().describe("The plain-text body"),
    html: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
    date: z.iso.datetime().describe("When Resend received it"),
    attachments: z.array(
      z.object({
        filename: z.string(),
        contentType: z.string(),
        size: z.int(),
        fileId: z.string().describe("The stored file (a Doc Manager document) later steps can send, upload or attach"),
      }),
    ),
  }),
  example: {},
  matches: (config: { fromContains?: string | undefined; subjectContains?: string | undefined }, payload: Record<string, unknown>) => {
    const has = (value: unknown, part: string | undefined) => !part || (typeof value === "string" && value.toLowerCase().includes(part.toLowerCase()));
    return has(payload.from, config.fromContains) && has(payload.subject, config.subjectContains);
  },
  samplePayload: {
    from: "billing@supplier.example",
    to: ["wf-abc123@inbound.example"],
    cc: [],
    subject: "Invoice 2026/014",
    text: "Please find the invoice attached.",
    html: null,
    headers: {},
    date: "2026-01-05T10:12:00.000Z",
    attachments: [{ filename: "invoice.pdf", contentType: "application/pdf", size: 48213, fileId: "doc_123" }],
  },
} satisfies TriggerTypeSpec;
