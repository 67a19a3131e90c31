import { handle } from "@/lib/api/operation";
import { getRunOp } from "@/lib/api/operations";
import { getRun } from "@/lib/workflow/runs";

export const dynamic = "force-dynamic";

export const GET = handle(getRunOp, ({ db, caller, params }) => getRun(db, caller, params.id));
