import { handle } from "@/lib/api/operation";
import { requestSignatureOp } from "@/lib/api/operations";
import { actorFor } from "@/lib/documents/documents";
import { clientOf } from "@/lib/documents/http";
import { requestSignature } from "@/lib/documents/signing";

export const dynamic = "force-dynamic";

export const POST = handle(requestSignatureOp, async ({ db, caller, params, body, request }) =>
  requestSignature(db, await actorFor(db, caller, clientOf(request.headers)), params.id, body),
);
