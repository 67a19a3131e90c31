import { z } from "zod";
import { manualStatuses, setDocumentStatus, unarchiveDocument } from "@/lib/documents/documents";
import { documentStatusSchema } from "@/lib/documents/schemas";
import { defineAction } from "@/lib/integrations/types";
import type { DocManagerClient } from "./client";
import { docRateLimit, documentIdField, documentOf, documentOutput, previewDocument } from "./shared";

// Status by hand (draft, completed, archived) and archive; the statuses of signing follow from
// signature requests. Undo puts back the status the step found, kept in the effect's externalRef
// as "<document id>:<status before>".

const statusOutput = documentOutput.extend({ previous: documentStatusSchema });

const refOf = (out: { documentId: string; previous: string }) => `${out.documentId}:${out.previous}`;

async function restore(client: DocManagerClient, ref: string) {
  const [documentId, previous] = ref.split(":");
  const status = documentStatusSchema.parse(previous);
  await setDocumentStatus(client.db, client.actor(), documentId!, status).catch((error: unknown) => {
    if ((error as { code?: string }).code !== "not_found") throw error;
  });
}

const updateConfig = z.object({
  documentId: documentIdField,
  status: z.enum(manualStatuses).meta({
    ui: {
      label: "Status",
      widget: "select",
      choices: [
        { value: "draft", label: "Draft" },
        { value: "completed", label: "Completed" },
        { value: "archived", label: "Archived" },
      ],
    },
  }),
});

export const updateStatus = defineAction<DocManagerClient, typeof updateConfig, typeof statusOutput>({
  id: "update_status",
  name: "Update document status",
  description: "Sets a document's status to draft, completed or archived (not while it is out for signature).",
  config: updateConfig,
  example: { documentId: "{{step.upload.output.documentId}}", status: "completed" },
  output: statusOutput,
  effectful: true,
  // Setting a status twice leaves it as once.
  idempotency: "natural",
  undo: { strategy: "api_update", run: (ctx, ref) => restore(ctx.client, ref) },
  externalRef: refOf,
  rateLimit: docRateLimit,
  preview: (input) => ({ ...previewDocument(input.documentId, input.status), previous: "draft" }),
  async execute(ctx, input) {
    const { document, previous } = await setDocumentStatus(ctx.client.db, ctx.client.actor(), input.documentId, input.status);
    return { ...documentOf(document), previous };
  },
});

const archiveConfig = z.object({ documentId: documentIdField });

export const archiveDocument = defineAction<DocManagerClient, typeof archiveConfig, typeof statusOutput>({
  id: "archive_document",
  name: "Archive document",
  description: "Archives a document: it leaves the list (filter by Archived to see it) and keeps its history.",
  config: archiveConfig,
  example: { documentId: "{{step.upload.output.documentId}}" },
  output: statusOutput,
  effectful: true,
  idempotency: "natural",
  // Unarchive: back to what it was before.
  undo: {
    strategy: "api_update",
    async run(ctx, ref) {
      const [documentId] = ref.split(":");
      await unarchiveDocument(ctx.client.db, ctx.client.actor(), documentId!).catch((error: unknown) => {
        if ((error as { code?: string }).code !== "not_found") throw error;
      });
    },
  },
  externalRef: refOf,
  rateLimit: docRateLimit,
  preview: (input) => ({ ...previewDocument(input.documentId, "archived"), previous: "draft" }),
  async execute(ctx, input) {
    const { document, previous } = await setDocumentStatus(ctx.client.db, ctx.client.actor(), input.documentId, "archived");
    return { ...documentOf(document), previous };
  },
});
