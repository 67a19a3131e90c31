import { z } from "zod";
import { createDocument, deleteDocument } from "@/lib/documents/documents";
import { documentLimits } from "@/lib/documents/schemas";
import { tooLarge } from "@/lib/documents/upload";
import { formattedString, valueOrExpression } from "@/lib/integrations/fields";
import { defineAction } from "@/lib/integrations/types";
import { guardedFetch } from "@/lib/net/guarded-fetch";
import { WorkflowError } from "@/lib/workflow/errors";
import type { DocManagerClient } from "./client";
import { docRateLimit, documentOf, documentOutput, previewDocument } from "./shared";

// A document from an earlier step's file (an inbound email attachment, a Fatture in Cloud PDF:
// their file id, read through the company's file store) or from a URL (through the guarded fetch).
// The file is checked by content like an upload in the app.

const config = z
  .object({
    fileId: z
      .string()
      .max(64)
      .optional()
      .meta({ ui: { label: "File", widget: "expression", placeholder: "{{trigger.payload.attachments.0.fileId}}", help: "A file id from an earlier step" } }),
    url: formattedString(z.url({ protocol: /^https?$/ }), "Use an http(s) URL")
      .optional()
      .meta({ ui: { label: "Or from URL", widget: "text", placeholder: "https://example.com/contract.pdf" } }),
    name: z
      .string()
      .trim()
      .max(documentLimits.maxNameLength)
      .optional()
      .meta({ ui: { label: "Name", widget: "text", placeholder: "contract.pdf", help: "The file's own name when empty" } }),
    folder: z
      .string()
      .max(200)
      .optional()
      .meta({ ui: { label: "Folder", widget: "text", placeholder: "Contracts" } }),
    tags: valueOrExpression(z.array(z.string().max(64)).max(documentLimits.maxTags))
      .optional()
      .meta({ ui: { label: "Tags", widget: "list" } }),
  })
  .refine((c) => (c.fileId === undefined) !== (c.url === undefined), { message: "Give either a file id or a URL", path: ["fileId"] })
  .meta({ oneOf: [{ required: ["fileId"] }, { required: ["url"] }] });

async function download(url: string, signal: AbortSignal): Promise<{ bytes: Uint8Array; name: string }> {
  const response = await guardedFetch(url, { signal, maxBytes: documentLimits.maxBytes, timeoutMs: 60_000 }).catch((error: unknown) => {
    if (error instanceof WorkflowError && /larger|bytes/i.test(error.message)) throw tooLarge();
    throw error;
  });
  if (response.status < 200 || response.status >= 300)
    throw new WorkflowError(response.status === 404 ? "E_NOT_FOUND" : "E_PROVIDER", { message: `Downloading the document answered HTTP ${response.status}` });
  const last = decodeURIComponent(new URL(response.url).pathname.split("/").filter(Boolean).at(-1) ?? "") || "document.pdf";
  return { bytes: new Uint8Array(response.body), name: last };
}

export const uploadDocument = defineAction<DocManagerClient, typeof config, typeof documentOutput>({
  id: "upload_document",
  name: "Upload document",
  description: "Files a PDF or image in the Doc Manager, from an earlier step's file or a URL.",
  config,
  example: { fileId: "{{trigger.payload.attachments.0.fileId}}", folder: "Contracts" },
  output: documentOutput,
  effectful: true,
  // The document carries the step's key: a repeat finds it instead of filing a second.
  idempotency: "provider_key",
  undo: {
    strategy: "api_delete",
    async run(ctx, documentId) {
      await deleteDocument(ctx.client.db, ctx.client.actor(), documentId);
    },
  },
  externalRef: (out) => out.documentId,
  rateLimit: docRateLimit,
  preview: () => previewDocument("doc_preview", "draft"),
  async execute(ctx, input) {
    const source = input.fileId !== undefined ? await ctx.files.read(input.fileId) : null;
    const fetched = input.url !== undefined ? await download(input.url, ctx.signal) : null;
    const bytes = source?.bytes ?? fetched!.bytes;
    const name = input.name || source?.filename || fetched!.name;
    const tags = Array.isArray(input.tags) ? input.tags : [];
    const document = await createDocument(ctx.client.db, ctx.client.actor(ctx.idempotencyKey), { filename: name, bytes, folder: input.folder || null, tags });
    return documentOf(document);
  },
});
