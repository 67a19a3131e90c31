import { createHash } from "node:crypto";
import type { Db } from "@/lib/db";
import { WorkflowError } from "@/lib/workflow/errors";

// The one place stored files (Doc Manager documents, inbound email attachments) are written and
// read. Every read is scoped to a company: a file id from another company is "not found".

export type StoredFile = { id: string; filename: string; contentType: string; size: number; sha256: string; bytes: Uint8Array };

export type NewFile = { filename: string; contentType: string; bytes: Uint8Array; createdById?: string | null };

/** What an action sees: files of the run's company, by the id an earlier step produced. */
export type FileReader = { read(fileId: string): Promise<StoredFile> };

export async function storeFile(db: Db, companyId: string, file: NewFile): Promise<{ id: string; size: number; sha256: string }> {
  const sha256 = createHash("sha256").update(file.bytes).digest("hex");
  const row = await db.document.create({
    data: {
      companyId,
      name: file.filename,
      mimeType: file.contentType,
      sizeBytes: file.bytes.length,
      content: new Uint8Array(file.bytes),
      sha256,
      createdById: file.createdById ?? null,
    },
    select: { id: true },
  });
  return { id: row.id, size: file.bytes.length, sha256 };
}

export async function readFile(db: Db, companyId: string, fileId: string): Promise<StoredFile> {
  const row = await db.document.findFirst({
    where: { id: fileId, companyId },
    select: { id: true, name: true, mimeType: true, sizeBytes: true, sha256: true, content: true },
  });
  if (!row)
    throw new WorkflowError("E_VALIDATION", {
      message: `File ${fileId} was not found in this company`,
      remediation: "Use a file id produced by an earlier step (an inbound email attachment, an uploaded document)",
    });
  return { id: row.id, filename: row.name, contentType: row.mimeType, size: row.sizeBytes, sha256: row.sha256, bytes: new Uint8Array(row.content) };
}

export const fileReader = (db: Db, companyId: string): FileReader => ({ read: (fileId) => readFile(db, companyId, fileId) });
