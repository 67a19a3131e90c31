import { z } from "zod";
import type { TriggerTypeSpec } from "@/lib/workflow/trigger-types";

// A cron schedule in a time zone.
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
      .meta({ ui: { label: "Schedule (cron)", help: "Five fields: minute hour day-of-month month day-of-week. 0 9 * * 1-5 is 09:00 on weekdays.", placeholder: "0 9 * * 1-5", widget: "text" } }),
    timezone: z
      .string()
      .min(1)
      .max(64)
      .default("UTC")
      .meta({ ui: { label: "Time zone", help: "An IANA time zone such as Europe/Rome", placeholder: "UTC", widget: "text" } }),
  }),
  payload: z.object({ scheduledAt: z.iso.datetime().describe("The time this run was scheduled for"), firedAt: z.iso.datetime().describe("When it actually started") }),
  example: { cron: "0 9 * * 1-5", timezone: "Europe/Rome" },
  samplePayload: { scheduledAt: "2026-01-05T08:00:00.000Z", firedAt: "2026-01-05T08:00:00.120Z" },
} satisfies TriggerTypeSpec;
