import { ApiError, schedules } from "@trigger.dev/sdk";
import { Cron } from "croner";
import { z } from "zod";
import { getEnv } from "@/lib/config/env";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { configureClient } from "@/lib/workflow/hosts/trigger";
import type { TriggerTypeSpec } from "@/lib/workflow/trigger-types";
import type { NodeCatalog } from "@/lib/workflow/node-types";
import { takeEvent, type IntakeResult } from "./intake";

// A cron schedule in an IANA time zone (croner: 5 fields, or 6 with seconds first; daylight-saving
// changes handled in the zone). Exactly one run per tick, whatever the number of processes: a tick
// is the event "<workflow>@<scheduled time>" in the intake's ledger.
//
// Who ticks depends on the host. Embedded: every long-running process runs a Scheduler
// (scheduler.ts). Trigger.dev (a serverless deployment has no long-running process): each enabled
// schedule is a Trigger.dev imperative schedule (externalId = workflow id) attached to the one
// `workflow-schedule` task (schedule-task.ts), kept in step by `sync` after publish, enable and
// disable; Trigger.dev crons have no seconds field, so a six-field pattern is refused at publish.

/** The schedules.task every imperative schedule is attached to. */
export const WORKFLOW_SCHEDULE_TASK = "workflow-schedule";
const TRIGGER_CALL_RETRY = { retry: { maxAttempts: 2, minTimeoutInMs: 200, maxTimeoutInMs: 500 } };

function cronProblem(pattern: string, timezone?: string): string | null {
  try {
    new Cron(pattern, { paused: true, ...(timezone ? { timezone } : {}) }).nextRun();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

export const scheduleTrigger = {
  type: "schedule",
  label: "Schedule",
  description: "Started on a cron schedule",
  config: z.object({
    cron: z
      .string()
      .trim()
      .min(1, "Write a cron expression")
      .max(200)
      .regex(/^\S+(\s+\S+){4,5}$/, "A cron expression has five fields (minute hour day month weekday), or six with seconds first")
      .refine((pattern) => cronProblem(pattern) === null, { message: "Not a cron expression croner understands (e.g. 0 9 * * 1-5)" })
      .meta({
        ui: {
          label: "Schedule (cron)",
          help: "Five fields: minute hour day-of-month month day-of-week. 0 9 * * 1-5 is 09:00 on weekdays.",
          placeholder: "0 9 * * 1-5",
          widget: "text",
        },
      }),
    timezone: z
      .string()
      .min(1)
      .max(64)
      .refine(isTimeZone, { message: "An IANA time zone such as Europe/Rome or UTC" })
      .default("UTC")
      .meta({ ui: { label: "Time zone", help: "An IANA time zone such as Europe/Rome", placeholder: "UTC", widget: "text" } }),
  }),
  payload: z.object({
    scheduledAt: z.iso.datetime().describe("The time this run was scheduled for"),
    firedAt: z.iso.datetime().describe("When it actually started"),
  }),
  example: { cron: "0 9 * * 1-5", timezone: "Europe/Rome" },
  samplePayload: { scheduledAt: "2026-01-05T08:00:00.000Z", firedAt: "2026-01-05T08:00:00.120Z" },
  publishProblems: (config: { cron: string }) =>
    getEnv().runsOn === "trigger.dev" && config.cron.split(/\s+/).length === 6
      ? [
          {
            path: ["cron"],
            message:
              "Runs execute on Trigger.dev here, whose schedules have minute resolution: use five fields (minute hour day month weekday), without the seconds field",
          },
        ]
      : [],
  sync: (db: Db, workflowId: string) => syncTriggerSchedule(db, workflowId),
} satisfies TriggerTypeSpec;

export type ScheduleConfig = z.output<typeof scheduleTrigger.config>;

const cronOf = (config: ScheduleConfig) => new Cron(config.cron, { paused: true, timezone: config.timezone });

/** The next fire times after `from`. */
export const nextFireTimes = (config: ScheduleConfig, from: Date, count = 5): Date[] => cronOf(config).nextRuns(count, from);

/** The latest tick at or before `now` (what fires after downtime: once, not once per missed tick). */
export function latestTick(config: ScheduleConfig, now: Date): Date | null {
  const cron = cronOf(config);
  // previousRuns looks strictly before its reference; a tick due this very millisecond counts.
  const [previous] = cron.previousRuns(1, new Date(now.getTime() + 1));
  return previous ?? null;
}

/** The ledger entry of one tick: the same on both hosts, so a tick starts one run whoever fires it. */
export function takeTick(
  db: Db,
  catalog: NodeCatalog,
  tick: { companyId: string; workflowId: string; scheduledAt: Date; firedAt: Date },
): Promise<IntakeResult> {
  return takeEvent(db, catalog, {
    companyId: tick.companyId,
    workflowId: tick.workflowId,
    triggerType: "schedule",
    source: "schedule",
    externalId: `${tick.workflowId}@${tick.scheduledAt.toISOString()}`,
    payload: { scheduledAt: tick.scheduledAt.toISOString(), firedAt: tick.firedAt.toISOString() },
  });
}

const isNotFound = (error: unknown) => error instanceof ApiError && error.status === 404;

/**
 * On the Trigger.dev host, makes the workflow's imperative schedule match it: there (and active)
 * with its published cron and zone while it is enabled, deleted otherwise. Reads the workflow
 * itself, so any caller may call it again; a schedule deleted on Trigger.dev by hand is made anew.
 */
export async function syncTriggerSchedule(db: Db, workflowId: string): Promise<void> {
  if (getEnv().runsOn !== "trigger.dev") return;
  const row = await db.workflow.findUnique({
    where: { id: workflowId },
    select: { enabled: true, deletedAt: true, triggerScheduleId: true, publishedVersion: { select: { definition: true } } },
  });
  const trigger = (row?.publishedVersion?.definition as { trigger?: { type?: string; config?: unknown } } | undefined)?.trigger;
  const config = trigger?.type === "schedule" ? scheduleTrigger.config.safeParse(trigger.config ?? {}) : null;
  configureClient();
  try {
    if (row?.enabled && !row.deletedAt && config?.success) {
      const options = { task: WORKFLOW_SCHEDULE_TASK, cron: config.data.cron, timezone: config.data.timezone, externalId: workflowId };
      const updated = row.triggerScheduleId
        ? await schedules.update(row.triggerScheduleId, options, TRIGGER_CALL_RETRY).catch((error: unknown) => {
            if (isNotFound(error)) return null;
            throw error;
          })
        : null;
      // The deduplication key keeps it to one schedule per workflow even if the id was never stored.
      const schedule = updated ?? (await schedules.create({ ...options, deduplicationKey: `flowline-workflow-${workflowId}` }, TRIGGER_CALL_RETRY));
      if (!schedule.active) await schedules.activate(schedule.id, TRIGGER_CALL_RETRY);
      if (schedule.id !== row.triggerScheduleId) await db.workflow.update({ where: { id: workflowId }, data: { triggerScheduleId: schedule.id } });
    } else if (row?.triggerScheduleId) {
      await schedules.del(row.triggerScheduleId, TRIGGER_CALL_RETRY).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
      await db.workflow.update({ where: { id: workflowId }, data: { triggerScheduleId: null } });
    }
  } catch (error) {
    throw new AppError("upstream_unavailable", "The workflow was saved, but its schedule could not be updated on Trigger.dev", {
      remediation: `Check TRIGGER_SECRET_KEY and that Trigger.dev answers, then publish or enable the workflow again (${error instanceof Error ? error.message : String(error)}).`,
    });
  }
}
