import { handle } from "@/lib/api/operation";
import { getTriggerOp } from "@/lib/api/operations";
import { getEnv } from "@/lib/config/env";
import { triggerOverview } from "@/lib/triggers/history";

export const dynamic = "force-dynamic";

export const GET = handle(getTriggerOp, async ({ db, caller, params }) => triggerOverview(db, caller, params.id, getEnv().appUrl));
