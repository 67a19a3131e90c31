import { catalog } from "@/lib/catalog";
import { handle } from "@/lib/api/operation";
import { revertWorkflowOp } from "@/lib/api/operations";
import { revertDraft } from "@/lib/workflow/store";

export const dynamic = "force-dynamic";

export const POST = handle(revertWorkflowOp, ({ db, caller, params, body }) => revertDraft(db, catalog, caller, params.id, body));
