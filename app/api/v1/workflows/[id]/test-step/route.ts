import { catalog } from "@/lib/catalog";
import { handle } from "@/lib/api/operation";
import { testStepOp } from "@/lib/api/operations";
import { testStep } from "@/lib/workflow/test-step";

export const dynamic = "force-dynamic";

export const POST = handle(testStepOp, ({ db, caller, params, body }) => testStep(db, catalog, caller, params.id, body));
