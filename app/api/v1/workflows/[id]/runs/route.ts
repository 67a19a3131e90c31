import { catalog } from "@/lib/catalog";
import { handle } from "@/lib/api/operation";
import { startRunOp } from "@/lib/api/operations";
import { startRun } from "@/lib/workflow/runs";

export const dynamic = "force-dynamic";

export const POST = handle(startRunOp, ({ db, caller, params, body }) => startRun(db, catalog, caller, params.id, body, { type: "manual", source: "api" }));
