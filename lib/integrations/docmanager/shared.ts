import { z } from "zod";
import { documentStatusSchema } from "@/lib/documents/schemas";

// Fields and outputs the Doc Manager's actions share.

export const documentIdField = z
  .string()
  .trim()
  .min(1, "Which document? e.g. {{step.upload.output.documentId}}")
  .max(64)
  .meta({ ui: { label: "Document", widget: "expression", placeholder: "{{step.upload.output.documentId}}" } });

export const documentOutput = z.object({
  documentId: z.string(),
  name: z.string(),
  status: documentStatusSchema,
  folder: z.string().nullable(),
  tags: z.array(z.string()),
  sha256: z.string(),
  sizeBytes: z.number(),
  mimeType: z.string(),
});

export const documentOf = (d: {
  id: string;
  name: string;
  status: z.infer<typeof documentStatusSchema>;
  folder: string | null;
  tags: string[];
  sha256: string;
  sizeBytes: number;
  mimeType: string;
}) => ({
  documentId: d.id,
  name: d.name,
  status: d.status,
  folder: d.folder,
  tags: d.tags,
  sha256: d.sha256,
  sizeBytes: d.sizeBytes,
  mimeType: d.mimeType,
});

export const previewDocument = (documentId: string, status: z.infer<typeof documentStatusSchema>) => ({
  documentId,
  name: "preview.pdf",
  status,
  folder: null,
  tags: [],
  sha256: "preview",
  sizeBytes: 0,
  mimeType: "application/pdf",
});

/** Our own service: generous, but a runaway loop still cannot flood the database. */
export const docRateLimit = { limit: 600, windowMs: 60_000 };
