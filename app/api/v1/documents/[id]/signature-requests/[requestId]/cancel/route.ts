import { handle } from "@/lib/api/operation";
import { cancelSignatureRequestOp } from "@/lib/api/operations";
import { actorFor } from "@/lib/documents/documents";
import { clientOf } from "@/lib/documents/http";
import { cancelRequest } from "@/lib/documents/signing";

export const dynamic = "force-dynamic";

export const POST = handle(cancelSignatureRequestOp, async ({ db, caller, params, request }) =>
  cancelRequest(db, await actorFor(db, caller, clientOf(request.headers)), { requestId: params.requestId, documentId: params.id }),
);
