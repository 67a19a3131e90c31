import { handle } from "@/lib/api/operation";
import { replayRunOp } from "@/lib/api/operations";
import { replayRun } from "@/lib/workflow/runs";

export const dynamic = "force-dynamic";

export const POST = handle(replayRunOp, ({ db, caller, params }) => replayRun(db, caller, params.id));
