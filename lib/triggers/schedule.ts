import { Cron } from "croner";
import { z } from "zod";
import type { TriggerTypeSpec } from "@/lib/workflow/trigger-types";

// A cron schedule in an IANA time zone (croner: 5 fields, or 6 with seconds first; daylight-saving
// changes handled in the zone). Exactly one run per tick, whatever the number of processes: a tick
// is the event "<workflow>@<scheduled time>" in the intake's ledger.

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
