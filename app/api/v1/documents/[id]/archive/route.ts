import { handle } from "@/lib/api/operation";
import { archiveDocumentOp } from "@/lib/api/operations";
import { actorFor, archiveDocument } from "@/lib/documents/documents";
import { clientOf } from "@/lib/documents/http";

export const dynamic = "force-dynamic";

export const POST = handle(
  archiveDocumentOp,
  async ({ db, caller, params, request }) => (await archiveDocument(db, await actorFor(db, caller, clientOf(request.headers)), params.id)).document,
);
