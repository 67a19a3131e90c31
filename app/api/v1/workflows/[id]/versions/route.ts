import { handle } from "@/lib/api/operation";
import { listVersionsOp } from "@/lib/api/operations";
import { listVersions } from "@/lib/workflow/store";

export const dynamic = "force-dynamic";

export const GET = handle(listVersionsOp, async ({ db, caller, params }) => ({ versions: await listVersions(db, caller, params.id) }));
