import { z } from "zod";
import { WorkflowError } from "@/lib/workflow/errors";
import { formattedString, valueOrExpression } from "@/lib/integrations/fields";
import { defineAction } from "@/lib/integrations/types";
import type { FileReader } from "@/lib/files/store";
import type { ResendClient } from "./client";

// One email through Resend. The step's idempotency key is sent as Resend's Idempotency-Key, so a
// repeat after a crash returns the email already sent instead of sending it twice. Attachments
// are stored files by id (an inbound email's, a Doc Manager document: read through ctx.files,
// company-scoped), URLs Resend downloads, or base64 content. The output says whose key sent it.

const addresses = valueOrExpression(z.union([z.string().min(3), z.array(z.string().min(3)).max(50)]));

const attachment = z
  .object({
    filename: z.string().min(1, "Name the file").optional().describe("The file's name; a stored file's own name when left out"),
    fileId: z.string().min(1).max(64).optional().describe("A file an earlier step stored: an inbound email attachment's fileId, a Doc Manager document"),
    url: formattedString(z.url({ protocol: /^https?$/ }), "An http(s) URL, or a {{…}} expression that gives one")
      .optional()
      .describe("Or Resend downloads the file from here (a PDF url from Fatture in Cloud)"),
    content: z.string().optional().describe("Or the file's content in base64"),
    contentType: z.string().optional(),
  })
  .strict()
  .refine((a) => [a.fileId, a.url, a.content].filter((v) => v !== undefined).length === 1, { message: "Give one of fileId, url or content" })
  .refine((a) => a.fileId !== undefined || a.filename !== undefined, { message: "Name the file", path: ["filename"] });

type Attachment = z.output<typeof attachment>;

/** What Resend is sent for each attachment: a stored file's bytes are read (company-scoped) and sent as content. */
async function resendAttachment(files: FileReader, a: Attachment) {
  if (a.fileId) {
    const file = await files.read(a.fileId);
    return { filename: a.filename ?? file.filename, content: Buffer.from(file.bytes).toString("base64"), contentType: a.contentType ?? file.contentType };
  }
  return { filename: a.filename!, ...(a.url ? { path: a.url } : { content: a.content! }), ...(a.contentType ? { contentType: a.contentType } : {}) };
}

const config = z
  .object({
    from: z
      .string()
      .max(320)
      .optional()
      .meta({
        ui: {
          label: "From",
          widget: "text",
          placeholder: "Acme <billing@acme.it>",
          help: "An address of a domain verified in Resend; the server's sender (EMAIL_FROM) when empty",
        },
      }),
    to: addresses.meta({ ui: { label: "To", widget: "expression", placeholder: "cliente@example.it" } }),
    cc: addresses.optional().meta({ ui: { label: "Cc", widget: "expression", advanced: true } }),
    bcc: addresses.optional().meta({ ui: { label: "Bcc", widget: "expression", advanced: true } }),
    replyTo: addresses.optional().meta({ ui: { label: "Reply to", widget: "expression", advanced: true } }),
    subject: z
      .string()
      .min(1, "Write a subject")
      .max(998)
      .meta({ ui: { label: "Subject", widget: "text", placeholder: "Fattura n. {{step.invoice.output.number}}" } }),
    text: z
      .string()
      .max(200_000)
      .optional()
      .meta({ ui: { label: "Text", widget: "multiline", help: "{{…}} inserts values from the trigger or earlier steps" } }),
    html: z
      .string()
      .max(500_000)
      .optional()
      .meta({ ui: { label: "HTML", widget: "multiline", advanced: true } }),
    attachments: valueOrExpression(z.array(attachment).max(20))
      .optional()
      .meta({
        ui: {
          label: "Attachments",
          widget: "json",
          help: 'e.g. [{"fileId": "{{trigger.payload.attachments.0.fileId}}"}] or [{"filename": "fattura.pdf", "url": "{{step.invoice.output.pdfUrl}}"}]',
        },
      }),
    tags: valueOrExpression(z.array(z.object({ name: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/), value: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/) })).max(10))
      .optional()
      .meta({ ui: { label: "Tags", widget: "json", advanced: true, help: 'e.g. [{"name": "invoice", "value": "42"}]: letters, digits, _ and - only' } }),
  })
  .refine((c) => c.text !== undefined || c.html !== undefined, { message: "Write the text or the HTML", path: ["text"] })
  .meta({ anyOf: [{ required: ["text"] }, { required: ["html"] }] });

const output = z.object({
  id: z.string().describe("Resend's email id"),
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  sentWith: z.enum(["connection", "server"]).describe("connection: the company's own Resend key; server: the server's key (the company has none)"),
  attachments: z.array(z.object({ filename: z.string(), contentType: z.string().optional() })),
});

const emailish = /^(?:[^<>]*<)?[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+>?$/;

function addressList(value: unknown, field: string): string[] {
  const list = (Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : []).map((v) => String(v).trim()).filter(Boolean);
  const bad = list.find((a) => !emailish.test(a));
  if (bad)
    throw new WorkflowError("E_VALIDATION", {
      message: `${field}: "${bad}" is not an email address`,
      details: { issues: [{ path: field, message: "Not an email address" }] },
    });
  return list;
}

export const sendEmail = defineAction<ResendClient, typeof config, typeof output>({
  id: "send_email",
  name: "Send email",
  description: "Sends an email (text or HTML, with attachments from earlier steps) through Resend.",
  config,
  example: { to: "cliente@example.it", subject: "Fattura n. {{step.invoice.output.number}}", text: "Gentile cliente, in allegato la fattura." },
  output,
  effectful: true,
  // Resend deduplicates on the Idempotency-Key (the step's key) for 24 hours.
  idempotency: "provider_key",
  // An email cannot be unsent.
  undo: {
    strategy: "manual",
    describe: ({ output }) => `An email cannot be unsent: write to ${output?.to.join(", ") ?? "the recipients"}${output ? ` about "${output.subject}"` : ""}`,
  },
  externalRef: (out) => out.id,
  rateLimit: { limit: 120, windowMs: 60_000, bucket: "resend.emails" },
  preview: (input) => ({
    id: "preview",
    from: input.from ?? "the server's sender",
    to: Array.isArray(input.to) ? input.to : [String(input.to)],
    subject: input.subject,
    sentWith: "connection",
    attachments: [],
  }),
  async execute(ctx, input) {
    const from = input.from?.trim() || ctx.client.defaultFrom;
    if (!from)
      throw new WorkflowError("E_VALIDATION", {
        message: "from: no sender; this server has no EMAIL_FROM",
        remediation: "Write a From address of a domain verified in Resend",
        details: { issues: [{ path: "from", message: "Required" }] },
      });
    const to = addressList(input.to, "to");
    if (!to.length)
      throw new WorkflowError("E_VALIDATION", { message: "to: add at least one recipient", details: { issues: [{ path: "to", message: "Required" }] } });
    const attachments = input.attachments === undefined ? [] : z.array(attachment).safeParse(input.attachments);
    if (!Array.isArray(attachments) && !attachments.success) {
      throw new WorkflowError("E_VALIDATION", {
        message: `attachments: ${attachments.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      });
    }
    const files = Array.isArray(attachments) ? attachments : attachments.data;
    const tags = input.tags === undefined ? undefined : (input.tags as { name: string; value: string }[]);
    const payload = {
      from,
      to,
      subject: input.subject,
      ...(input.cc !== undefined ? { cc: addressList(input.cc, "cc") } : {}),
      ...(input.bcc !== undefined ? { bcc: addressList(input.bcc, "bcc") } : {}),
      ...(input.replyTo !== undefined ? { replyTo: addressList(input.replyTo, "replyTo") } : {}),
      ...(input.text !== undefined ? { text: input.text } : {}),
      ...(input.html !== undefined ? { html: input.html } : {}),
      ...(files.length ? { attachments: await Promise.all(files.map((f) => resendAttachment(ctx.files, f))) } : {}),
      ...(tags ? { tags } : {}),
    };
    const sent = await ctx.client.call(
      (options) => ctx.client.resend.emails.send(payload as never, { idempotencyKey: ctx.idempotencyKey, ...options }),
      ctx.signal,
    );
    return {
      id: sent.id,
      from,
      to,
      subject: input.subject,
      sentWith: ctx.connection.server ? "server" : "connection",
      attachments: (payload.attachments ?? []).map((a) => ({ filename: a.filename, ...(a.contentType ? { contentType: a.contentType } : {}) })),
    };
  },
});
