import { catalog } from "@/lib/catalog";
import { handle } from "@/lib/api/operation";
import { rerunRunOp } from "@/lib/api/operations";
import { rerunOnLatest } from "@/lib/workflow/runs";

export const dynamic = "force-dynamic";

export const POST = handle(rerunRunOp, ({ db, caller, params }) => rerunOnLatest(db, catalog, caller, params.id));
