import { catalog } from "@/lib/catalog";
import { handle } from "@/lib/api/operation";
import { enableWorkflowOp } from "@/lib/api/operations";
import { setWorkflowEnabled } from "@/lib/workflow/store";

export const dynamic = "force-dynamic";

export const POST = handle(enableWorkflowOp, ({ db, caller, params }) => setWorkflowEnabled(db, catalog, caller, params.id, true));
