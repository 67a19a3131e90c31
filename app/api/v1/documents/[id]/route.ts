import { handle } from "@/lib/api/operation";
import { deleteDocumentOp, getDocumentOp, updateDocumentOp } from "@/lib/api/operations";
import { requireRole } from "@/lib/auth/roles";
import { actorFor, deleteDocument, getDocument, updateDocument } from "@/lib/documents/documents";
import { clientOf } from "@/lib/documents/http";
import { notFound } from "@/lib/errors";

export const dynamic = "force-dynamic";

export const GET = handle(getDocumentOp, ({ db, caller, params }) => getDocument(db, caller, params.id));
export const PATCH = handle(updateDocumentOp, async ({ db, caller, params, body, request }) =>
  updateDocument(db, await actorFor(db, caller, clientOf(request.headers)), params.id, body),
);
export const DELETE = handle(deleteDocumentOp, async ({ db, caller, params, request }) => {
  requireRole(caller, "admin");
  if (!(await deleteDocument(db, await actorFor(db, caller, clientOf(request.headers)), params.id))) throw notFound("Document");
  return { deleted: true as const };
});
