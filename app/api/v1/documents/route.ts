import { handle } from "@/lib/api/operation";
import { listDocumentsOp, uploadDocumentOp } from "@/lib/api/operations";
import { actorFor, createDocument, listDocuments } from "@/lib/documents/documents";
import { clientOf } from "@/lib/documents/http";
import { readUpload } from "@/lib/documents/upload";

export const dynamic = "force-dynamic";

export const GET = handle(listDocumentsOp, ({ db, caller, query }) => listDocuments(db, caller, query));
export const POST = handle(uploadDocumentOp, async ({ db, caller, request }) => {
  const actor = await actorFor(db, caller, clientOf(request.headers));
  return createDocument(db, actor, await readUpload(request));
});
