import { z } from "zod";
import type { TriggerTypeSpec } from "@/lib/workflow/trigger-types";

// An email received at the workflow's inbound address (Resend inbound).
export const emailInboundTrigger = {
  type: "email.inbound",
  label: "Email received",
  description: "Started by an email received through Resend",
  config: z.object({
    fromContains: z
      .string()
      .max(320)
      .optional()
      .meta({ ui: { label: "Only from", help: "Start only for senders whose address contains this text", placeholder: "@supplier.com", widget: "text", advanced: true } }),
    subjectContains: z
      .string()
      .max(500)
      .optional()
      .meta({ ui: { label: "Only when the subject contains", placeholder: "Invoice", widget: "text", advanced: true } }),
  }),
  payload: z.object({
    from: z.string().describe("The sender's address"),
    to: z.array(z.string()).describe("The recipients"),
    subject: z.string(),
    text: z.string().describe("The plain-text body"),
    html: z.string().optional(),
    attachments: z.array(z.object({ filename: z.string(), contentType: z.string(), size: z.int() })),
    receivedAt: z.iso.datetime(),
  }),
  example: {},
  matches: (config: { fromContains?: string | undefined; subjectContains?: string | undefined }, payload: Record<string, unknown>) => {
    const has = (value: unknown, part: string | undefined) => !part || (typeof value === "string" && value.toLowerCase().includes(part.toLowerCase()));
    return has(payload.from, config.fromContains) && has(payload.subject, config.subjectContains);
  },
  samplePayload: {
    from: "billing@supplier.example",
    to: ["in@acme.example"],
    subject: "Invoice 2026/014",
    text: "Please find the invoice attached.",
    attachments: [{ filename: "invoice.pdf", contentType: "application/pdf", size: 48213 }],
    receivedAt: "2026-01-05T10:12:00.000Z",
  },
} satisfies TriggerTypeSpec;
