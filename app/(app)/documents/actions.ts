"use server";

import { z } from "zod";
import { companyAction } from "@/lib/auth/action";
import { requireRole } from "@/lib/auth/roles";
import { actorFor, archiveDocument, deleteDocument, unarchiveDocument, updateDocument } from "@/lib/documents/documents";
import { clientOf, requestHeaders } from "@/lib/documents/http";
import { cancelRequest, requestSignature, resendRequest } from "@/lib/documents/signing";
import { notFound } from "@/lib/errors";

// The Documents pages' actions: thin over lib/documents, which scopes everything to the company.

const documentRef = z.object({ id: z.string().min(1).max(64) });
const requestRef = z.object({ documentId: z.string().min(1).max(64), requestId: z.string().min(1).max(64) });

const actor = async (db: Parameters<typeof actorFor>[0], caller: Parameters<typeof actorFor>[1]) => actorFor(db, caller, clientOf(await requestHeaders()));

export const updateDocumentAction = companyAction(async (db, caller, input: unknown) => {
  const { id, ...patch } = documentRef.passthrough().parse(input);
  return updateDocument(db, await actor(db, caller), id, patch);
});

export const archiveDocumentAction = companyAction(
  async (db, caller, input: unknown) => (await archiveDocument(db, await actor(db, caller), documentRef.parse(input).id)).document,
);

export const unarchiveDocumentAction = companyAction(
  async (db, caller, input: unknown) => (await unarchiveDocument(db, await actor(db, caller), documentRef.parse(input).id)).document,
);

export const deleteDocumentAction = companyAction(async (db, caller, input: unknown) => {
  requireRole(caller, "admin");
  if (!(await deleteDocument(db, await actor(db, caller), documentRef.parse(input).id))) throw notFound("Document");
  return { deleted: true };
});

export const requestSignatureAction = companyAction(async (db, caller, input: unknown) => {
  const { id, ...request } = documentRef.passthrough().parse(input);
  return requestSignature(db, await actor(db, caller), id, request as never);
});

export const cancelRequestAction = companyAction(async (db, caller, input: unknown) => cancelRequest(db, await actor(db, caller), requestRef.parse(input)));

export const resendRequestAction = companyAction(async (db, caller, input: unknown) => resendRequest(db, await actor(db, caller), requestRef.parse(input)));
