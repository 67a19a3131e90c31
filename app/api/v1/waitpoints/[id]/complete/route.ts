import { handle } from "@/lib/api/operation";
import { completeWaitpointOp } from "@/lib/api/operations";
import { completeWaitpoint } from "@/lib/workflow/runs";

export const dynamic = "force-dynamic";

export const POST = handle(completeWaitpointOp, ({ db, caller, params, body }) => completeWaitpoint(db, { caller }, params.id, body));
