import { handle } from "@/lib/api/operation";
import { unarchiveDocumentOp } from "@/lib/api/operations";
import { actorFor, unarchiveDocument } from "@/lib/documents/documents";
import { clientOf } from "@/lib/documents/http";

export const dynamic = "force-dynamic";

export const POST = handle(
  unarchiveDocumentOp,
  async ({ db, caller, params, request }) => (await unarchiveDocument(db, await actorFor(db, caller, clientOf(request.headers)), params.id)).document,
);
