import { catalog } from "@/lib/catalog";
import { handle } from "@/lib/api/operation";
import { validateWorkflowOp } from "@/lib/api/operations";
import { validateWorkflow } from "@/lib/workflow/store";

export const dynamic = "force-dynamic";

export const POST = handle(validateWorkflowOp, async ({ db, caller, params, body }) => {
  const problems = await validateWorkflow(db, catalog, caller, params.id, body);
  return { valid: !problems.some((p) => p.severity === "error"), problems };
});
