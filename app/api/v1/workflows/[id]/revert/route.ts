import { handle } from "@/lib/api/operation";
import { revertWorkflowOp } from "@/lib/api/operations";
import { revertDraft } from "@/lib/workflow/store";

export const dynamic = "force-dynamic";

export const POST = handle(revertWorkflowOp, ({ db, caller, params, body }) => revertDraft(db, caller, params.id, body));
