import { catalog } from "@/lib/catalog";
import { handle } from "@/lib/api/operation";
import { getVersionOp } from "@/lib/api/operations";
import { getVersion } from "@/lib/workflow/store";

export const dynamic = "force-dynamic";

export const GET = handle(getVersionOp, ({ db, caller, params }) => getVersion(db, catalog, caller, params.id, params.number));
