import { handle } from "@/lib/api/operation";
import { cancelRunOp } from "@/lib/api/operations";
import { cancelRun } from "@/lib/workflow/runs";

export const dynamic = "force-dynamic";

export const POST = handle(cancelRunOp, ({ db, caller, params }) => cancelRun(db, caller, params.id));
