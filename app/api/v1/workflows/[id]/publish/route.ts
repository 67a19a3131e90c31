import { catalog } from "@/lib/catalog";
import { handle } from "@/lib/api/operation";
import { publishWorkflowOp } from "@/lib/api/operations";
import { publishWorkflow } from "@/lib/workflow/store";

export const dynamic = "force-dynamic";

export const POST = handle(publishWorkflowOp, ({ db, caller, params, body }) => publishWorkflow(db, catalog, caller, params.id, body));
