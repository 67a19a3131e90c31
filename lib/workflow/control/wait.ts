import { z } from "zod";
import type { NodeTypeSpec } from "../node-types";

export const MAX_WAIT_MS = 366 * 24 * 3_600_000;

const isoInstant = z.iso.datetime({ offset: true });

export const waitNodeType = {
  type: "control.wait",
  label: "Wait",
  category: "control",
  description: "Pauses the run for a duration or until an instant (a durable sleep, not a timer)",
  version: 1,
  config: z
    .object({
      durationMs: z
        .int()
        .min(0)
        .max(MAX_WAIT_MS)
        .optional()
        .meta({ ui: { label: "Wait for", widget: "duration", help: "How long to pause; or set Until instead" } }),
      /** An ISO 8601 date-time with offset, or a {{…}} expression giving one. */
      until: z
        .string()
        .min(1)
        .max(1000)
        .optional()
        .meta({ ui: { label: "Until", widget: "date-time", help: "A date-time with its time zone, or a {{…}} expression giving one", placeholder: "2026-01-31T09:00:00+01:00" } }),
    })
    .superRefine(({ durationMs, until }, ctx) => {
      if (durationMs === undefined && until === undefined) {
        ctx.addIssue({ code: "custom", path: ["durationMs"], message: "Set durationMs or until", params: { missing: true } });
      } else if (durationMs !== undefined && until !== undefined) {
        ctx.addIssue({ code: "custom", path: ["until"], message: "Set durationMs or until, not both" });
      } else if (until !== undefined && !until.includes("{{") && !isoInstant.safeParse(until).success) {
        ctx.addIssue({ code: "custom", path: ["until"], message: "until must be a date-time with offset, like 2025-01-31T09:00:00Z, or a {{…}} expression" });
      }
    })
    // The same rule for the editor's JSON Schema: exactly one of the two.
    .meta({ oneOf: [{ required: ["durationMs"] }, { required: ["until"] }] }),
  example: { durationMs: 3_600_000 },
  outputs: [{ id: "out" }],
  output: z.object({ resumedAt: z.iso.datetime() }),
} satisfies NodeTypeSpec;
