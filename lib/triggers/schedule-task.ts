import { schedules } from "@trigger.dev/sdk";
import { getDb, type Db } from "@/lib/db";
import { logger } from "@/lib/log";
import type { NodeCatalog } from "@/lib/workflow/node-types";
import { syncTriggerSchedule, takeTick, WORKFLOW_SCHEDULE_TASK } from "./schedule";

// The one schedules.task every workflow's imperative schedule is attached to (Trigger.dev host).
// A tick goes through the same intake as the embedded Scheduler's, keyed by (workflow, scheduled
// time), so a tick Trigger.dev delivers twice, or retries after a crash, starts one run.

export type ScheduledTick = { externalId?: string; timestamp: Date };

/** One tick of a workflow's schedule: its run, or nothing when the workflow no longer wants it. */
export async function fireScheduledTick(db: Db, catalog: NodeCatalog, tick: ScheduledTick, firedAt = new Date()): Promise<{ runIds: string[] }> {
  const workflowId = tick.externalId;
  const workflow = workflowId ? await db.workflow.findUnique({ where: { id: workflowId }, select: { companyId: true } }) : null;
  if (!workflowId || !workflow) {
    logger.warn({ externalId: tick.externalId }, "a Trigger.dev schedule fired for no workflow here");
    return { runIds: [] };
  }
  const result = await takeTick(db, catalog, { companyId: workflow.companyId, workflowId, scheduledAt: tick.timestamp, firedAt });
  // Nothing matched (disabled, deleted, or no longer a schedule): the schedule left behind removes itself.
  if (!result.duplicate && result.runIds.length === 0) await syncTriggerSchedule(db, workflowId);
  return { runIds: result.runIds };
}

export function defineScheduleTask(catalog: NodeCatalog) {
  return schedules.task({
    id: WORKFLOW_SCHEDULE_TASK,
    run: async (payload) => fireScheduledTick(await getDb(), catalog, payload),
  });
}
