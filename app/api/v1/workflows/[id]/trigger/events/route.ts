import { handle } from "@/lib/api/operation";
import { listTriggerEventsOp } from "@/lib/api/operations";
import { triggerEvents } from "@/lib/triggers/history";

export const dynamic = "force-dynamic";

export const GET = handle(listTriggerEventsOp, async ({ db, caller, params, query }) => triggerEvents(db, caller, params.id, query));
