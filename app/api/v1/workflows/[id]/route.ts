import { catalog } from "@/lib/catalog";
import { handle } from "@/lib/api/operation";
import { deleteWorkflowOp, getWorkflowOp, updateWorkflowOp } from "@/lib/api/operations";
import { deleteWorkflow, getWorkflow, updateWorkflow } from "@/lib/workflow/store";

export const dynamic = "force-dynamic";

export const GET = handle(getWorkflowOp, ({ db, caller, params }) => getWorkflow(db, catalog, caller, params.id));
export const PATCH = handle(updateWorkflowOp, ({ db, caller, params, body }) => updateWorkflow(db, catalog, caller, params.id, body));
export const DELETE = handle(deleteWorkflowOp, async ({ db, caller, params }) => {
  await deleteWorkflow(db, caller, params.id);
  return { deleted: true as const };
});
