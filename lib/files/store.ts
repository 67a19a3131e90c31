import { createHash } from "node:crypto";
import type { Db, Tx } from "@/lib/db";
import { WorkflowError } from "@/lib/workflow/errors";

// The one place stored files (Doc Manager documents and their signed copies, inbound email
// attachments) are written and read. Bytes live in the database as FileChunk rows, so every app
// process on a Postgres server and the embedded PGlite see the same files with no shared disk, and
// no row (nor one statement's parameters) has to hold a whole large file. Every read is scoped to
// a company: a file id from another company is "not found".

export type StoredFile = { id: string; filename: string; contentType: string; size: number; sha256: string; bytes: Uint8Array };

export type NewFile = { filename: string; contentType: string; bytes: Uint8Array; createdById?: string | null };

/** What an action sees: files of the run's company, by the id an earlier step produced. */
export type FileReader = { read(fileId: string): Promise<StoredFile> };

/** 256 KiB per row: small enough for any driver's parameter limits, few rows for a typical PDF. */
export const FILE_CHUNK_BYTES = 256 * 1024;
const CHUNKS_PER_STATEMENT = 8;

// A transaction's client has no $connect (the full client does): inside one, the chunks join it.
const inTransaction = <T>(db: Db | Tx, work: (tx: Tx) => Promise<T>): Promise<T> => ("$connect" in db ? (db as Db).$transaction(work) : work(db));

/** Stores a file; with a transaction, the file exists exactly when the caller's change commits. */
export async function storeFile(db: Db | Tx, companyId: string, file: NewFile): Promise<{ id: string; size: number; sha256: string }> {
  const sha256 = createHash("sha256").update(file.bytes).digest("hex");
  const id = await inTransaction(db, async (tx) => {
    const row = await tx.storedFile.create({
      data: { companyId, filename: file.filename, contentType: file.contentType, size: file.bytes.length, sha256, createdById: file.createdById ?? null },
      select: { id: true },
    });
    const chunks = [];
    for (let offset = 0, seq = 0; offset < file.bytes.length; offset += FILE_CHUNK_BYTES, seq++) {
      chunks.push({ fileId: row.id, seq, data: new Uint8Array(file.bytes.subarray(offset, offset + FILE_CHUNK_BYTES)) });
    }
    // A few chunks per statement: fewer round trips, still no statement near a driver's limits.
    for (let i = 0; i < chunks.length; i += CHUNKS_PER_STATEMENT) await tx.fileChunk.createMany({ data: chunks.slice(i, i + CHUNKS_PER_STATEMENT) });
    return row.id;
  });
  return { id, size: file.bytes.length, sha256 };
}

const notFound = (fileId: string) =>
  new WorkflowError("E_VALIDATION", {
    message: `File ${fileId} was not found in this company`,
    remediation: "Use a file id produced by an earlier step (an inbound email attachment, an uploaded document)",
  });

export async function readFile(db: Db | Tx, companyId: string, fileId: string): Promise<StoredFile> {
  const row = await db.storedFile.findFirst({
    where: { id: fileId, companyId },
    select: { id: true, filename: true, contentType: true, size: true, sha256: true, chunks: { orderBy: { seq: "asc" }, select: { data: true } } },
  });
  if (!row) throw notFound(fileId);
  const bytes = new Uint8Array(row.size);
  let offset = 0;
  for (const chunk of row.chunks) {
    bytes.set(chunk.data, offset);
    offset += chunk.data.length;
  }
  // A file whose chunks do not add up is never handed out as if it were whole.
  if (offset !== row.size) throw new Error(`stored file ${fileId} is incomplete (${offset} of ${row.size} bytes)`);
  return { id: row.id, filename: row.filename, contentType: row.contentType, size: row.size, sha256: row.sha256, bytes };
}

/** Deletes a file of the company; false when there is none (already gone). */
export async function deleteFile(db: Db | Tx, companyId: string, fileId: string): Promise<boolean> {
  const { count } = await db.storedFile.deleteMany({ where: { id: fileId, companyId } });
  return count > 0;
}

export const fileReader = (db: Db, companyId: string): FileReader => ({ read: (fileId) => readFile(db, companyId, fileId) });
