import { handle } from "@/lib/api/operation";
import { listRunsOp } from "@/lib/api/operations";
import { listRuns } from "@/lib/workflow/runs";

export const dynamic = "force-dynamic";

export const GET = handle(listRunsOp, ({ db, caller, query }) => listRuns(db, caller, query));
