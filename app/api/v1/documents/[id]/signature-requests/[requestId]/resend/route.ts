import { handle } from "@/lib/api/operation";
import { resendSignatureRequestOp } from "@/lib/api/operations";
import { actorFor } from "@/lib/documents/documents";
import { clientOf } from "@/lib/documents/http";
import { resendRequest } from "@/lib/documents/signing";

export const dynamic = "force-dynamic";

export const POST = handle(resendSignatureRequestOp, async ({ db, caller, params, request }) =>
  resendRequest(db, await actorFor(db, caller, clientOf(request.headers)), { requestId: params.requestId, documentId: params.id }),
);
