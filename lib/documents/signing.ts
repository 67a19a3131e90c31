import { fileTypeFromBuffer } from "file-type";
import { getEnv } from "@/lib/config/env";
import type { Db, Tx } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import { readFile, storeFile } from "@/lib/files/store";
import type { Document, SignatureRequest, Signer } from "@/lib/generated/prisma/client";
import { logger } from "@/lib/log";
import { emitEvent } from "@/lib/triggers/events";
import type { DocumentEventPayload } from "@/lib/triggers/document-events";
import { wakeRun } from "@/lib/workflow/engine/run-state";
import { runHost } from "@/lib/workflow/hosts";
import { audit } from "@/lib/audit";
import { auditActorOf, findDocument, recordStep, type DocActor } from "./documents";
import { emailConfigured, emailNotConfigured, sendSignerEmail } from "./mail";
import { completedPdf } from "./pdf";
import { declineSchema, signatureRequestInputSchema, signSchema, type SignatureRequestInput } from "./schemas";
import { hashSigningToken, parseSigningToken, signingToken, tokenMacValid } from "./tokens";

// Signature requests: signers in order or all at once, each with a signed single-use link by
// email; the public signing page reads, signs or declines through a link; the last signature
// makes the completed PDF. A request ends (completed, declined, expired, cancelled) in one
// transaction that also moves the document's status, emits the document.* event and completes
// the workflow waits on it, under a lock on the request row, so each ends exactly once.

export type RequestOutcome = "completed" | "declined" | "expired" | "cancelled";
/** Who is at the other end of a signing link: their address and browser, for the audit trail. */
export type SigningClient = { ip: string | null; userAgent: string | null };

const DAY_MS = 86_400_000;

const signingLink = (token: string) => `${getEnv().appUrl}/sign/${encodeURIComponent(token)}`;

/** Locks the request row for the rest of the transaction: every change to a request goes through here. */
async function lockRequest(tx: Tx, requestId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "SignatureRequest" WHERE id = ${requestId} FOR UPDATE`;
}

/** Gives a signer a live link (its turn has come, or a resend): bumps the generation, stores the new token's hash. */
async function openTurn(tx: Tx, signer: Signer, expiresAt: Date): Promise<void> {
  const generation = signer.tokenGeneration + 1;
  await tx.signer.update({
    where: { id: signer.id },
    data: { status: "pending", tokenGeneration: generation, tokenHash: hashSigningToken(signingToken(signer.id, generation, expiresAt)) },
  });
}

type Mail = { signerId: string; kind: "request" | "reminder" };

/** Sends the emails a committed change calls for; a failure is logged and left for a resend. */
async function deliver(db: Db, mails: Mail[], now: Date): Promise<void> {
  for (const mail of mails) {
    const signer = await db.signer.findUnique({ where: { id: mail.signerId }, include: { request: { include: { document: true } } } });
    if (!signer || signer.status !== "pending" || signer.request.status !== "pending") continue;
    const token = signingToken(signer.id, signer.tokenGeneration, signer.request.expiresAt);
    const creator = signer.request.createdById
      ? await db.user.findUnique({ where: { id: signer.request.createdById }, select: { name: true, email: true } })
      : null;
    try {
      await sendSignerEmail({
        to: { name: signer.name, email: signer.email },
        documentName: signer.request.document.name,
        from: creator?.name ?? creator?.email ?? null,
        message: signer.request.message,
        link: signingLink(token),
        expiresAt: signer.request.expiresAt,
        kind: mail.kind,
        idempotencyKey: `sign-${signer.id}-${signer.tokenGeneration}-${mail.kind}-${mail.kind === "reminder" ? now.toISOString().slice(0, 13) : ""}`,
      });
      await db.signer.update({ where: { id: signer.id }, data: mail.kind === "reminder" ? { remindedAt: now } : { notifiedAt: now } });
      await recordStep(db, {
        companyId: signer.companyId,
        documentId: signer.request.documentId,
        requestId: signer.requestId,
        signerId: signer.id,
        kind: mail.kind === "reminder" ? "reminded" : "sent",
        actor: "Flowline",
        sha256: signer.request.document.sha256,
        detail: { to: signer.email },
        at: now,
      });
    } catch (error) {
      logger.warn({ err: error, signerId: signer.id }, "a signer email was not sent; Resend on the document tries again");
    }
  }
}

export type CreatedRequest = { id: string; documentId: string; status: "pending"; signers: { id: string; name: string; email: string; status: string }[] };

export async function requestSignature(db: Db, actor: DocActor, documentId: string, raw: SignatureRequestInput, now = new Date()): Promise<CreatedRequest> {
  const input = signatureRequestInputSchema.parse(raw);
  const emails = input.signers.map((s) => s.email.toLowerCase());
  if (new Set(emails).size !== emails.length)
    throw new AppError("validation_failed", "A signer is listed twice", { issues: [{ path: ["signers"], message: "Each email once" }] });
  if (!emailConfigured()) throw emailNotConfigured();
  if (actor.stepKey) {
    const made = await db.signatureRequest.findFirst({
      where: { stepKey: actor.stepKey, companyId: actor.companyId },
      include: { signers: { orderBy: { position: "asc" } } },
    });
    if (made)
      return {
        id: made.id,
        documentId: made.documentId,
        status: "pending",
        signers: made.signers.map((s) => ({ id: s.id, name: s.name, email: s.email, status: s.status })),
      };
  }
  const expiresAt = new Date(now.getTime() + input.expiresInDays * DAY_MS);
  const created = await db.$transaction(async (tx) => {
    const document = await findDocument(tx, actor.companyId, documentId);
    await tx.$queryRaw`SELECT id FROM "Document" WHERE id = ${document.id} FOR UPDATE`;
    if (!["draft", "declined", "expired"].includes(document.status))
      throw new AppError("conflict", `The document is ${document.status.replaceAll("_", " ")}; it cannot be sent for signature now`, {
        remediation: document.status === "archived" ? "Unarchive it first." : "Cancel the open request first, or upload a new version.",
      });
    const request = await tx.signatureRequest.create({
      data: {
        companyId: actor.companyId,
        documentId,
        message: input.message || null,
        signingOrder: input.order,
        expiresAt,
        remindEveryHours: input.remindEveryHours ?? null,
        createdById: actor.userId,
        createdByRunId: actor.runId ?? null,
        stepKey: actor.stepKey ?? null,
      },
    });
    const signers: Signer[] = [];
    for (const [position, s] of input.signers.entries()) {
      signers.push(await tx.signer.create({ data: { companyId: actor.companyId, requestId: request.id, position, name: s.name, email: s.email } }));
    }
    const first = input.order === "sequential" ? signers.slice(0, 1) : signers;
    for (const signer of first) await openTurn(tx, signer, expiresAt);
    await tx.document.update({ where: { id: documentId }, data: { status: "out_for_signature" } });
    await recordStep(tx, {
      companyId: actor.companyId,
      documentId,
      requestId: request.id,
      kind: "requested",
      actor: actor.label,
      sha256: document.sha256,
      ip: actor.ip,
      userAgent: actor.userAgent,
      detail: { signers: input.signers.map((s) => s.email), order: input.order, expiresAt: expiresAt.toISOString() },
      at: now,
    });
    await audit(tx, auditActorOf(actor), "signature.requested", "document", documentId, {
      name: document.name,
      signers: input.signers.length,
      by: actor.label,
    });
    return { request, signers, first };
  });
  await deliver(
    db,
    created.first.map((s) => ({ signerId: s.id, kind: "request" as const })),
    now,
  );
  return {
    id: created.request.id,
    documentId,
    status: "pending",
    signers: created.signers.map((s) => ({ id: s.id, name: s.name, email: s.email, status: created.first.includes(s) ? "pending" : "waiting" })),
  };
}

async function findRequest(
  tx: Db | Tx,
  companyId: string,
  requestId: string,
  documentId?: string,
): Promise<SignatureRequest & { document: Document; signers: Signer[] }> {
  const request = await tx.signatureRequest.findFirst({
    where: { id: requestId, companyId, ...(documentId ? { documentId } : {}) },
    include: { document: true, signers: { orderBy: { position: "asc" } } },
  });
  if (!request) throw notFound("Signature request");
  return request;
}

/** Which request: by its id, and (from the document's page or API path) of which document. */
export type RequestRef = { requestId: string; documentId?: string };

/** Cancels an open request (by its owner, or undoing the workflow step that made it); a request already ended stays as it is. */
export async function cancelRequest(db: Db, actor: DocActor, { requestId, documentId }: RequestRef, now = new Date()): Promise<{ cancelled: boolean }> {
  await findRequest(db, actor.companyId, requestId, documentId);
  const ended = await db.$transaction(async (tx) => {
    await lockRequest(tx, requestId);
    const request = await findRequest(tx, actor.companyId, requestId);
    if (request.status !== "pending") return null;
    await audit(tx, auditActorOf(actor), "signature.cancelled", "document", request.documentId, { name: request.document.name, by: actor.label });
    return endRequest(tx, request, "cancelled", now, { actor: actor.label, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null });
  });
  if (ended) await resumeWaits(db, ended.waits);
  return { cancelled: ended !== null };
}

/** Sends the pending signers a fresh link (earlier links stop working). */
export async function resendRequest(db: Db, actor: DocActor, { requestId, documentId }: RequestRef, now = new Date()): Promise<{ sent: number }> {
  await findRequest(db, actor.companyId, requestId, documentId);
  if (!emailConfigured()) throw emailNotConfigured();
  const pending = await db.$transaction(async (tx) => {
    await lockRequest(tx, requestId);
    const request = await findRequest(tx, actor.companyId, requestId);
    if (request.status !== "pending")
      throw new AppError("conflict", `The request is ${request.status}`, { remediation: "Request the signature again from the document." });
    const open = request.signers.filter((s) => s.status === "pending");
    for (const signer of open) await openTurn(tx, signer, request.expiresAt);
    await recordStep(tx, {
      companyId: actor.companyId,
      documentId: request.documentId,
      requestId,
      kind: "resent",
      actor: actor.label,
      sha256: request.document.sha256,
      ip: actor.ip,
      userAgent: actor.userAgent,
      detail: { to: open.map((s) => s.email) },
      at: now,
    });
    return open;
  });
  await deliver(
    db,
    pending.map((s) => ({ signerId: s.id, kind: "request" as const })),
    now,
  );
  return { sent: pending.length };
}

// ─── The signing link ───

const invalidLink = () =>
  new AppError("not_found", "This signing link is not valid", {
    remediation: "Open the link from the most recent email exactly as it was sent, or ask the sender for a new one.",
  });

type LinkState = { signer: Signer; request: SignatureRequest & { document: Document; signers: Signer[] } };

/** The signer a link is for, or why it cannot be used (tampered, superseded, used, expired, cancelled, not yet their turn). */
async function resolveLink(db: Db | Tx, token: string, now: Date): Promise<LinkState> {
  const parsed = parseSigningToken(token);
  if (!parsed) throw invalidLink();
  const signer = await db.signer.findUnique({ where: { tokenHash: hashSigningToken(token) } });
  if (!signer || signer.id !== parsed.signerId) throw invalidLink();
  const request = await findRequest(db, signer.companyId, signer.requestId);
  if (!tokenMacValid(token, request.expiresAt)) throw invalidLink();
  if (signer.status === "signed")
    throw new AppError("conflict", "You have already signed this document", { remediation: "Nothing more to do; the sender has your signature." });
  if (signer.status === "declined")
    throw new AppError("conflict", "You declined to sign this document", { remediation: "Ask the sender to send a new request if you changed your mind." });
  if (request.status === "cancelled")
    throw new AppError("conflict", "The sender cancelled this signature request", { remediation: "Ask the sender whether a new one is coming." });
  if (request.status !== "pending")
    throw new AppError("conflict", `This signature request has ${request.status === "expired" ? "expired" : "ended"}`, {
      remediation: "Ask the sender for a new request.",
    });
  if (request.expiresAt <= now) throw new AppError("conflict", "This signing link has expired", { remediation: "Ask the sender for a new request." });
  if (signer.status !== "pending")
    throw new AppError("conflict", "It is not your turn to sign yet", { remediation: "You will get an email when the signers before you have signed." });
  return { signer, request };
}

export type SigningView = {
  documentName: string;
  mimeType: string;
  signerName: string;
  signerEmail: string;
  message: string | null;
  expiresAt: string;
  signers: { name: string; status: string }[];
};

/** What the public signing page shows; recorded as "viewed" once per link generation. */
export async function openSigningLink(db: Db, token: string, client: SigningClient, now = new Date()): Promise<SigningView> {
  const { signer, request } = await resolveLink(db, token, now);
  const viewed = await db.documentEvent.count({ where: { signerId: signer.id, kind: "viewed", detail: { equals: { generation: signer.tokenGeneration } } } });
  if (viewed === 0)
    await recordStep(db, {
      companyId: signer.companyId,
      documentId: request.documentId,
      requestId: request.id,
      signerId: signer.id,
      kind: "viewed",
      actor: signer.email,
      sha256: request.document.sha256,
      ip: client.ip,
      userAgent: client.userAgent,
      detail: { generation: signer.tokenGeneration },
      at: now,
    });
  return {
    documentName: request.document.name,
    mimeType: request.document.mimeType,
    signerName: signer.name,
    signerEmail: signer.email,
    message: request.message,
    expiresAt: request.expiresAt.toISOString(),
    signers: request.signers.map((s) => ({ name: s.name, status: s.status })),
  };
}

/** The document a signer reads, through their link. */
export async function signingDocument(db: Db, token: string, now = new Date()) {
  const { request } = await resolveLink(db, token, now);
  return readFile(db, request.companyId, request.document.fileId);
}

async function pngBytes(dataUrl: string): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new Uint8Array(Buffer.from(dataUrl.slice(dataUrl.indexOf(",") + 1), "base64"));
  const type = await fileTypeFromBuffer(bytes);
  if (type?.mime !== "image/png")
    throw new AppError("validation_failed", "The drawn signature is not a PNG image", { issues: [{ path: ["signature", "dataUrl"], message: "Not a PNG" }] });
  return bytes;
}

/**
 * Signs through a link. The request row is locked first, so of any number of concurrent uses of
 * one link exactly one signs (the others see it used); the last signer's signature completes the
 * request in the same transaction.
 */
export async function sign(db: Db, raw: unknown, client: SigningClient, now = new Date()): Promise<{ status: "signed" | "completed" }> {
  const input = signSchema.parse(raw);
  const image = input.signature.kind === "drawn" ? await pngBytes(input.signature.dataUrl) : null;
  const first = await resolveLink(db, input.token, now);
  const result = await db.$transaction(
    async (tx) => {
      await lockRequest(tx, first.request.id);
      const { signer, request } = await resolveLink(tx, input.token, now);
      await tx.signer.update({
        where: { id: signer.id },
        data: {
          status: "signed",
          tokenHash: null,
          signedAt: now,
          signatureKind: input.signature.kind,
          signatureText: input.signature.kind === "typed" ? input.signature.text : null,
          signatureImage: image,
          ip: client.ip,
          userAgent: client.userAgent,
        },
      });
      await recordStep(tx, {
        companyId: signer.companyId,
        documentId: request.documentId,
        requestId: request.id,
        signerId: signer.id,
        kind: "signed",
        actor: signer.email,
        sha256: request.document.sha256,
        ip: client.ip,
        userAgent: client.userAgent,
        detail: { consent: true, signature: input.signature.kind },
        at: now,
      });
      const remaining = request.signers.filter((s) => s.id !== signer.id && s.status !== "signed");
      if (remaining.length === 0) return { ended: await endRequest(tx, await findRequest(tx, request.companyId, request.id), "completed", now), next: [] };
      const next = request.signingOrder === "sequential" ? remaining.filter((s) => s.status === "waiting").slice(0, 1) : [];
      for (const s of next) await openTurn(tx, s, request.expiresAt);
      await tx.document.update({ where: { id: request.documentId }, data: { status: "partially_signed" } });
      return { ended: null, next };
    },
    { timeout: 30_000 },
  );
  if (result.ended) await resumeWaits(db, result.ended.waits);
  await deliver(
    db,
    result.next.map((s) => ({ signerId: s.id, kind: "request" as const })),
    now,
  );
  return { status: result.ended ? "completed" : "signed" };
}

export async function decline(db: Db, raw: unknown, client: SigningClient, now = new Date()): Promise<{ status: "declined" }> {
  const input = declineSchema.parse(raw);
  const first = await resolveLink(db, input.token, now);
  const ended = await db.$transaction(async (tx) => {
    await lockRequest(tx, first.request.id);
    const { signer, request } = await resolveLink(tx, input.token, now);
    await tx.signer.update({
      where: { id: signer.id },
      data: { status: "declined", tokenHash: null, declinedAt: now, declineReason: input.reason, ip: client.ip, userAgent: client.userAgent },
    });
    return endRequest(tx, await findRequest(tx, request.companyId, request.id), "declined", now, {
      actor: signer.email,
      ...client,
      signerId: signer.id,
      reason: input.reason,
    });
  });
  await resumeWaits(db, ended.waits);
  return { status: "declined" };
}

// ─── Ending a request ───

type Ended = { waits: { id: string; result: { outcome: RequestOutcome } }[] };

const documentStatusAfter = { completed: "completed", declined: "declined", expired: "expired", cancelled: "draft" } as const;

/**
 * Ends a pending request (the caller holds its lock): every signer's link stops working, the
 * document's status follows, the completed PDF is made, the event goes to the outbox and the
 * workflow steps waiting on the request become due — all in this transaction.
 */
async function endRequest(
  tx: Tx,
  request: SignatureRequest & { document: Document; signers: Signer[] },
  outcome: RequestOutcome,
  now: Date,
  by: { actor: string; ip?: string | null; userAgent?: string | null; signerId?: string; reason?: string } = { actor: "Flowline" },
): Promise<Ended> {
  const { count } = await tx.signatureRequest.updateMany({ where: { id: request.id, status: "pending" }, data: { status: outcome, finishedAt: now } });
  if (count === 0) throw new AppError("conflict", "The signature request has already ended");
  await tx.signer.updateMany({ where: { requestId: request.id, tokenHash: { not: null } }, data: { tokenHash: null } });
  const document = request.document;
  let signedFileId: string | null = null;
  let sha256 = document.sha256;
  if (outcome === "completed") {
    const original = await readFile(tx, document.companyId, document.fileId);
    const trail = await tx.documentEvent.findMany({ where: { documentId: document.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    const pdf = await completedPdf({
      title: document.name,
      original: { bytes: original.bytes, contentType: original.contentType, sha256: original.sha256 },
      signers: request.signers.map((s) => ({
        name: s.name,
        email: s.email,
        signedAt: s.signedAt ?? now,
        kind: s.signatureKind === "drawn" ? "drawn" : "typed",
        text: s.signatureText,
        image: s.signatureImage ? new Uint8Array(s.signatureImage) : null,
        ip: s.ip,
      })),
      trail: trail.map((e) => ({ at: e.createdAt, kind: e.kind, actor: e.actor, ip: e.ip, sha256: e.sha256 })),
    });
    const stored = await storeFile(tx, document.companyId, { filename: signedName(document.name), contentType: "application/pdf", bytes: pdf });
    signedFileId = stored.id;
    sha256 = stored.sha256;
  }
  await tx.document.update({
    where: { id: document.id },
    data: { status: documentStatusAfter[outcome], ...(outcome === "completed" ? { completedAt: now, signedFileId } : {}) },
  });
  await recordStep(tx, {
    companyId: document.companyId,
    documentId: document.id,
    requestId: request.id,
    signerId: by.signerId ?? null,
    kind: outcome,
    actor: by.actor,
    sha256,
    ip: by.ip,
    userAgent: by.userAgent,
    ...(by.reason ? { detail: { reason: by.reason } } : outcome === "completed" ? { detail: { originalSha256: document.sha256 } } : {}),
    at: now,
  });
  if (outcome !== "cancelled") {
    const signers = await tx.signer.findMany({ where: { requestId: request.id }, orderBy: { position: "asc" } });
    const payload: DocumentEventPayload = {
      documentId: document.id,
      title: document.name,
      folder: document.folder,
      tags: document.tags,
      signatureRequestId: request.id,
      completedAt: now.toISOString(),
      signedFileId,
      signers: signers.map((s) => ({
        name: s.name,
        email: s.email,
        status: s.status,
        signedAt: s.signedAt?.toISOString() ?? null,
        declineReason: s.declineReason,
      })),
    };
    await emitEvent(tx, { companyId: document.companyId, type: `document.${outcome}`, payload });
  }
  const waits = await tx.waitpoint.findMany({
    where: { signatureRequestId: request.id, kind: "signature", completedAt: null },
    select: { id: true, runId: true },
  });
  const result = { outcome };
  for (const wait of waits) {
    await tx.waitpoint.update({ where: { id: wait.id }, data: { completedAt: now, result } });
    await wakeRun(tx, wait.runId, now);
  }
  return { waits: waits.map((w) => ({ id: w.id, result })) };
}

const signedName = (name: string) => `${name.replace(/\.[A-Za-z0-9]{1,5}$/, "")} (signed).pdf`;

/** Tells the run host about waits the commit completed (Trigger.dev completes its tokens). */
async function resumeWaits(db: Db, waits: Ended["waits"]): Promise<void> {
  for (const wait of waits) {
    await runHost()
      .resume(db, wait.id, wait.result)
      .catch((error: unknown) =>
        logger.warn({ err: error, waitpointId: wait.id }, "the run host was not told about a finished signature wait; the run wakes by its due time"),
      );
  }
}

// ─── Background: expiry and reminders (lib/documents/service.ts runs these) ───

/** Ends every pending request past its expiry; returns how many it expired. */
export async function expireDue(db: Db, now: Date): Promise<number> {
  const due = await db.signatureRequest.findMany({ where: { status: "pending", expiresAt: { lte: now } }, select: { id: true, companyId: true }, take: 100 });
  let expired = 0;
  for (const { id, companyId } of due) {
    const ended = await db.$transaction(async (tx) => {
      await lockRequest(tx, id);
      const request = await findRequest(tx, companyId, id);
      return request.status === "pending" ? endRequest(tx, request, "expired", now) : null;
    });
    if (ended) {
      expired++;
      await resumeWaits(db, ended.waits);
    }
  }
  return expired;
}

/** Reminds pending signers whose request asks for reminders and whose last email is old enough. */
export async function remindDue(db: Db, now: Date): Promise<number> {
  if (!emailConfigured()) return 0;
  const candidates = await db.signer.findMany({
    where: { status: "pending", notifiedAt: { not: null }, request: { status: "pending", remindEveryHours: { not: null }, expiresAt: { gt: now } } },
    include: { request: { select: { remindEveryHours: true } } },
    take: 500,
  });
  const due = candidates.filter((s) => {
    const last = s.remindedAt ?? s.notifiedAt!;
    return last.getTime() + s.request.remindEveryHours! * 3_600_000 <= now.getTime();
  });
  await deliver(
    db,
    due.map((s) => ({ signerId: s.id, kind: "reminder" as const })),
    now,
  );
  return due.length;
}
