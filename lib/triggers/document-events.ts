import { z } from "zod";
import type { TriggerTypeSpec } from "@/lib/workflow/trigger-types";
import { samplePayloadField } from "./sample";

// The Doc Manager's events (lib/documents emits them in the transaction that ends a signature
// request): every signer signed, one declined, or the request expired unsigned. One payload shape
// for the three, so a workflow can move between them without changing its {{trigger.payload…}}.

export const documentEventPayload = z.object({
  documentId: z.string(),
  title: z.string(),
  folder: z.string().nullable(),
  tags: z.array(z.string()),
  signatureRequestId: z.string(),
  /** When the request ended (signed by the last signer, declined, or expired). */
  completedAt: z.iso.datetime(),
  /** The completed PDF (document.completed only): read it with a later step through its file id. */
  signedFileId: z.string().nullable(),
  signers: z.array(
    z.object({
      name: z.string(),
      email: z.string(),
      status: z.enum(["waiting", "pending", "signed", "declined"]),
      signedAt: z.iso.datetime().nullable(),
      declineReason: z.string().nullable(),
    }),
  ),
});
export type DocumentEventPayload = z.infer<typeof documentEventPayload>;

const filters = z.object({
  folder: z
    .string()
    .max(200)
    .optional()
    .meta({ ui: { label: "Only in folder", help: "Leave empty for documents in any folder", widget: "text", advanced: true } }),
  tag: z
    .string()
    .max(64)
    .optional()
    .meta({ ui: { label: "Only with tag", help: "Leave empty for documents with any tags", widget: "text", advanced: true } }),
  samplePayload: samplePayloadField,
});
type Filters = z.output<typeof filters>;

const matches = (config: Filters, payload: Record<string, unknown>) =>
  (!config.folder || payload.folder === config.folder) && (!config.tag || (Array.isArray(payload.tags) && payload.tags.includes(config.tag)));

const sample = (status: "signed" | "declined" | "pending", extra: Partial<DocumentEventPayload> = {}): DocumentEventPayload => ({
  documentId: "doc_123",
  title: "Supply contract",
  folder: "Contracts",
  tags: ["supplier"],
  signatureRequestId: "sig_123",
  completedAt: "2026-01-05T16:40:00.000Z",
  signedFileId: null,
  signers: [
    {
      name: "Ada Lovelace",
      email: "ada@example.com",
      status,
      signedAt: status === "signed" ? "2026-01-05T16:40:00.000Z" : null,
      declineReason: status === "declined" ? "The price is wrong" : null,
    },
  ],
  ...extra,
});

function documentTrigger(type: string, label: string, description: string, samplePayload: DocumentEventPayload) {
  return { type, label, description, config: filters, payload: documentEventPayload, example: {}, matches, samplePayload } satisfies TriggerTypeSpec;
}

export const documentCompletedTrigger = documentTrigger(
  "document.completed",
  "Document signed",
  "Started when every signer of a Doc Manager document has signed",
  sample("signed", { signedFileId: "file_123" }),
);
export const documentDeclinedTrigger = documentTrigger(
  "document.declined",
  "Document declined",
  "Started when a signer declines to sign a Doc Manager document",
  sample("declined"),
);
export const documentExpiredTrigger = documentTrigger(
  "document.expired",
  "Signature request expired",
  "Started when a signature request expires before every signer has signed",
  sample("pending"),
);
