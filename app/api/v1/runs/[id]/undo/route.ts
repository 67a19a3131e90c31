import { catalog } from "@/lib/catalog";
import { handle } from "@/lib/api/operation";
import { previewUndoOp, undoRunOp } from "@/lib/api/operations";
import { previewUndo, requestUndo } from "@/lib/workflow/undo";

export const dynamic = "force-dynamic";

export const GET = handle(previewUndoOp, ({ db, caller, params }) => previewUndo(db, catalog, caller, params.id));
export const POST = handle(undoRunOp, ({ db, caller, params }) => requestUndo(db, catalog, caller, params.id));
