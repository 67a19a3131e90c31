import { audit } from "@/lib/audit";
import type { Caller } from "@/lib/auth/roles";
import { requireRole } from "@/lib/auth/roles";
import type { Db, Tx } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import { deleteFile, readFile, storeFile, type StoredFile } from "@/lib/files/store";
import type { Prisma } from "@/lib/generated/prisma/client";
import {
  documentMetaSchema,
  listDocumentsSchema,
  updateDocumentSchema,
  type DocumentDetail,
  type DocumentStatus,
  type DocumentSummary,
  type SignatureRequestSummary,
} from "./schemas";
import { checkFileName, sniffContentType } from "./upload";

// Documents of a company: upload (checked by content), list with search and filters, detail with
// the signature requests and the audit trail, rename / file / tag, archive, delete, download.
// Every query is scoped by the actor's company; another company's id is "not found".

/** Who acts on a document, as the audit trail records it. */
export type DocActor = {
  companyId: string;
  userId: string | null;
  apiKeyId?: string | null;
  label: string;
  /** A workflow step acting: its run, and its idempotency key, so a repeat after a crash finds what it made. */
  runId?: string | null;
  stepKey?: string | null;
  ip?: string | null;
  userAgent?: string | null;
};

/** The actor for a signed-in person or an API key (members may work with documents). */
export async function actorFor(db: Db, caller: Caller, client: { ip?: string | null; userAgent?: string | null } = {}): Promise<DocActor> {
  requireRole(caller, "member");
  const user = caller.userId ? await db.user.findUnique({ where: { id: caller.userId }, select: { email: true } }) : null;
  return {
    companyId: caller.companyId,
    userId: caller.userId,
    apiKeyId: caller.apiKeyId,
    label: user?.email ?? `API key ${caller.apiKeyId ?? ""}`.trim(),
    ...client,
  };
}

/** The company audit log's actor for a document change (a workflow run's shows as "by" the run). */
export const auditActorOf = (actor: DocActor) => ({ companyId: actor.companyId, actorUserId: actor.userId, actorApiKey: actor.apiKeyId ?? null });

type DocumentRow = Prisma.DocumentGetPayload<object>;

export function summarize(row: DocumentRow): DocumentSummary {
  return {
    id: row.id,
    name: row.name,
    folder: row.folder,
    tags: row.tags,
    status: row.status,
    mimeType: row.mimeType,
    sizeBytes: row.sizeBytes,
    sha256: row.sha256,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    hasSignedCopy: row.signedFileId !== null,
  };
}

/** Appends a step to the document's audit trail, in the transaction of the change. */
export async function recordStep(
  tx: Db | Tx,
  step: {
    companyId: string;
    documentId: string;
    kind: string;
    actor: string;
    sha256: string;
    requestId?: string | null;
    signerId?: string | null;
    ip?: string | null;
    userAgent?: string | null;
    detail?: Prisma.InputJsonValue;
    at?: Date;
  },
): Promise<void> {
  await tx.documentEvent.create({
    data: {
      companyId: step.companyId,
      documentId: step.documentId,
      kind: step.kind,
      actor: step.actor,
      sha256: step.sha256,
      requestId: step.requestId ?? null,
      signerId: step.signerId ?? null,
      ip: step.ip ?? null,
      userAgent: step.userAgent ?? null,
      ...(step.detail !== undefined ? { detail: step.detail } : {}),
      ...(step.at ? { createdAt: step.at } : {}),
    },
  });
}

export type NewDocument = { filename: string; bytes: Uint8Array; folder?: string | null; tags?: string[] };

/** Checks the file (content type by its bytes, size, name) before anything is stored, then stores it and the document together. */
export async function createDocument(db: Db, actor: DocActor, input: NewDocument): Promise<DocumentSummary> {
  const name = checkFileName(input.filename);
  const meta = documentMetaSchema.parse({ folder: input.folder ?? null, tags: input.tags ?? [] });
  const contentType = await sniffContentType(input.bytes, name);
  if (actor.stepKey) {
    const made = await db.document.findFirst({ where: { stepKey: actor.stepKey, companyId: actor.companyId } });
    if (made) return summarize(made);
  }
  const row = await db.$transaction(async (tx) => {
    const file = await storeFile(tx, actor.companyId, { filename: name, contentType, bytes: input.bytes, createdById: actor.userId });
    const created = await tx.document.create({
      data: {
        companyId: actor.companyId,
        name,
        folder: meta.folder ?? null,
        tags: uniqueTags(meta.tags ?? []),
        fileId: file.id,
        mimeType: contentType,
        sizeBytes: file.size,
        sha256: file.sha256,
        createdById: actor.userId,
        createdByRunId: actor.runId ?? null,
        stepKey: actor.stepKey ?? null,
      },
    });
    await recordStep(tx, {
      companyId: actor.companyId,
      documentId: created.id,
      kind: "uploaded",
      actor: actor.label,
      sha256: file.sha256,
      ip: actor.ip,
      userAgent: actor.userAgent,
    });
    return created;
  });
  return summarize(row);
}

const uniqueTags = (tags: string[]) => [...new Set(tags.map((t) => t.trim()))];

export async function listDocuments(db: Db, caller: Caller, raw: unknown): Promise<{ documents: DocumentSummary[]; nextCursor: string | null }> {
  const { q, folder, tag, status, cursor, limit } = listDocumentsSchema.parse(raw);
  const rows = await db.document.findMany({
    where: {
      companyId: caller.companyId,
      ...(q ? { name: { contains: q, mode: "insensitive" } } : {}),
      ...(folder ? { folder } : {}),
      ...(tag ? { tags: { has: tag } } : {}),
      // Archived documents are listed only when asked for.
      ...(status ? { status } : { status: { not: "archived" } }),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, limit);
  return { documents: page.map(summarize), nextCursor: rows.length > limit ? page.at(-1)!.id : null };
}

/** The folders and tags in use, for the list's filters. */
export async function documentFacets(db: Db, caller: Caller): Promise<{ folders: string[]; tags: string[] }> {
  const rows = await db.document.findMany({ where: { companyId: caller.companyId }, select: { folder: true, tags: true }, take: 5000 });
  const folders = new Set<string>();
  const tags = new Set<string>();
  for (const row of rows) {
    if (row.folder) folders.add(row.folder);
    for (const tag of row.tags) tags.add(tag);
  }
  return { folders: [...folders].sort(), tags: [...tags].sort() };
}

export async function findDocument(db: Db | Tx, companyId: string, id: string): Promise<DocumentRow> {
  const row = await db.document.findFirst({ where: { id, companyId } });
  if (!row) throw notFound("Document");
  return row;
}

export async function getDocument(db: Db, caller: Caller, id: string): Promise<DocumentDetail> {
  const row = await db.document.findFirst({
    where: { id, companyId: caller.companyId },
    include: {
      signatureRequests: { orderBy: { createdAt: "desc" }, include: { signers: { orderBy: { position: "asc" } } } },
      events: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
    },
  });
  if (!row) throw notFound("Document");
  return {
    ...summarize(row),
    requests: row.signatureRequests.map((request): SignatureRequestSummary => ({
      id: request.id,
      status: request.status,
      order: request.signingOrder,
      message: request.message,
      expiresAt: request.expiresAt.toISOString(),
      remindEveryHours: request.remindEveryHours,
      createdAt: request.createdAt.toISOString(),
      finishedAt: request.finishedAt?.toISOString() ?? null,
      signers: request.signers.map((s) => ({
        id: s.id,
        position: s.position,
        name: s.name,
        email: s.email,
        status: s.status,
        notifiedAt: s.notifiedAt?.toISOString() ?? null,
        signedAt: s.signedAt?.toISOString() ?? null,
        declinedAt: s.declinedAt?.toISOString() ?? null,
        declineReason: s.declineReason,
      })),
    })),
    history: row.events.map((e) => ({
      id: e.id,
      kind: e.kind,
      actor: e.actor,
      ip: e.ip,
      userAgent: e.userAgent,
      sha256: e.sha256,
      detail: e.detail,
      createdAt: e.createdAt.toISOString(),
    })),
  };
}

export async function updateDocument(db: Db, actor: DocActor, id: string, raw: unknown): Promise<DocumentSummary> {
  const patch = updateDocumentSchema.parse(raw);
  if (patch.name !== undefined) checkFileName(patch.name);
  return db.$transaction(async (tx) => {
    const row = await findDocument(tx, actor.companyId, id);
    const updated = await tx.document.update({
      where: { id: row.id },
      data: {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.folder !== undefined ? { folder: patch.folder } : {}),
        ...(patch.tags !== undefined ? { tags: uniqueTags(patch.tags) } : {}),
      },
    });
    await recordStep(tx, {
      companyId: actor.companyId,
      documentId: id,
      kind: "edited",
      actor: actor.label,
      sha256: row.sha256,
      detail: patch,
      ip: actor.ip,
      userAgent: actor.userAgent,
    });
    return summarize(updated);
  });
}

/** Statuses a person or a workflow may set by hand; the others follow from signature requests. */
export const manualStatuses = ["draft", "completed", "archived"] as const satisfies readonly DocumentStatus[];
export type ManualStatus = (typeof manualStatuses)[number];

/**
 * Sets a status by hand (the "update status" action, archive, unarchive, and their undo). Refused
 * while a signature request is out: cancel it first. Returns the status it had before.
 */
export async function setDocumentStatus(
  db: Db,
  actor: DocActor,
  id: string,
  status: DocumentStatus,
): Promise<{ document: DocumentSummary; previous: DocumentStatus }> {
  return db.$transaction(async (tx) => {
    const row = await findDocument(tx, actor.companyId, id);
    if (row.status === status) return { document: summarize(row), previous: row.status };
    const open = await tx.signatureRequest.count({ where: { documentId: id, status: "pending" } });
    if (open > 0)
      throw new AppError("conflict", "The document is out for signature", { remediation: "Cancel its signature request first, then change the status." });
    const archiving = status === "archived";
    const updated = await tx.document.update({
      where: { id },
      data: {
        status,
        archivedAt: archiving ? new Date() : null,
        // Unarchive restores what it was; archiving twice keeps the first.
        statusBeforeArchive: archiving ? row.status : null,
        ...(status === "completed" && !row.completedAt ? { completedAt: new Date() } : {}),
      },
    });
    const kind = archiving ? "archived" : row.status === "archived" ? "unarchived" : "status_changed";
    await recordStep(tx, {
      companyId: actor.companyId,
      documentId: id,
      kind,
      actor: actor.label,
      sha256: row.sha256,
      detail: { from: row.status, to: status },
      ip: actor.ip,
      userAgent: actor.userAgent,
    });
    return { document: summarize(updated), previous: row.status };
  });
}

export const archiveDocument = (db: Db, actor: DocActor, id: string) => setDocumentStatus(db, actor, id, "archived");

/** Back to what it was before it was archived. */
export async function unarchiveDocument(db: Db, actor: DocActor, id: string): Promise<{ document: DocumentSummary; previous: DocumentStatus }> {
  const row = await findDocument(db, actor.companyId, id);
  if (row.status !== "archived") return { document: summarize(row), previous: row.status };
  return setDocumentStatus(db, actor, id, row.statusBeforeArchive ?? "draft");
}

/** Deletes the document, its files, requests and trail; false when it was already gone. */
export async function deleteDocument(db: Db, actor: DocActor, id: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const row = await tx.document.findFirst({ where: { id, companyId: actor.companyId } });
    if (!row) return false;
    await tx.document.delete({ where: { id } });
    await deleteFile(tx, actor.companyId, row.fileId);
    if (row.signedFileId) await deleteFile(tx, actor.companyId, row.signedFileId);
    // The document's own trail goes with it; the company's log keeps that it existed.
    await audit(tx, auditActorOf(actor), "document.deleted", "document", id, { name: row.name, sha256: row.sha256, by: actor.label });
    return true;
  });
}

/** The original or the completed PDF, for a download authorized on this request. */
export async function documentFile(db: Db, caller: Caller, id: string, which: "original" | "signed"): Promise<StoredFile> {
  requireRole(caller, "member");
  const row = await findDocument(db, caller.companyId, id);
  const fileId = which === "signed" ? row.signedFileId : row.fileId;
  if (!fileId) throw new AppError("not_found", "This document has no signed copy yet", { remediation: "It is made when every signer has signed." });
  return readFile(db, caller.companyId, fileId);
}
