import { z } from "zod";
import type { TriggerTypeSpec } from "@/lib/workflow/trigger-types";
import { samplePayloadField } from "./sample";

// The Doc Manager's event: every signer of a document has signed.
export const documentCompletedTrigger = {
  type: "document.completed",
  label: "Document signed",
  description: "Started when every signer of a Doc Manager document has signed",
  config: z.object({
    folder: z
      .string()
      .max(200)
      .optional()
      .meta({ ui: { label: "Only in folder", help: "Leave empty for documents in any folder", widget: "text", advanced: true } }),
    samplePayload: samplePayloadField,
  }),
  payload: z.object({
    documentId: z.string(),
    title: z.string(),
    folder: z.string().nullable(),
    completedAt: z.iso.datetime(),
    signers: z.array(z.object({ name: z.string(), email: z.string(), signedAt: z.iso.datetime() })),
  }),
  example: {},
  matches: (config: { folder?: string | undefined }, payload: Record<string, unknown>) => !config.folder || payload.folder === config.folder,
  samplePayload: {
    documentId: "doc_123",
    title: "Supply contract",
    folder: "Contracts",
    completedAt: "2026-01-05T16:40:00.000Z",
    signers: [{ name: "Ada Lovelace", email: "ada@example.com", signedAt: "2026-01-05T16:40:00.000Z" }],
  },
} satisfies TriggerTypeSpec;
