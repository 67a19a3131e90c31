import { catalog } from "@/lib/catalog";
import { handle } from "@/lib/api/operation";
import { createWorkflowOp, listWorkflowsOp } from "@/lib/api/operations";
import { createWorkflow, listWorkflows } from "@/lib/workflow/store";

export const dynamic = "force-dynamic";

export const GET = handle(listWorkflowsOp, ({ db, caller, query }) => listWorkflows(db, caller, query));
export const POST = handle(createWorkflowOp, ({ db, caller, body }) => createWorkflow(db, catalog, caller, body));
