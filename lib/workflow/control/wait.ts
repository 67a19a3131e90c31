import { z } from "zod";
import type { ControlContext, Flow } from "../engine/control";
import { WorkflowError } from "../errors";
import type { NodeTypeSpec } from "../node-types";

// WAIT: a durable sleep. Its waiting record keeps the instant it wakes at; the run suspends until
// then (a row with wakeAt, or wait.until on Trigger.dev), other branches going on meanwhile.

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
        .meta({
          ui: {
            label: "Until",
            widget: "date-time",
            help: "A date-time with its time zone, or a {{…}} expression giving one",
            placeholder: "2026-01-31T09:00:00+01:00",
          },
        }),
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
  behaviour: { run: runWait },
} satisfies NodeTypeSpec;

async function runWait(ctx: ControlContext): Promise<Flow> {
  let step = ctx.existing;
  if (!step) {
    const startedAt = ctx.now();
    const { durationMs, until } = ctx.config<{ durationMs?: number; until?: unknown }>();
    const wakeAt = until !== undefined ? untilInstant(ctx, until) : new Date(startedAt.getTime() + (durationMs ?? 0));
    step = await ctx.open("waiting", { input: { wakeAt: wakeAt.toISOString() }, startedAt });
  }
  const wakeAt = new Date(((step.input ?? {}) as { wakeAt: string }).wakeAt);
  // A dry run shows the path without sleeping through it.
  if (!ctx.run.dryRun && wakeAt > ctx.now()) return { suspend: { wakeAt, waitpointIds: [] } };
  // Written with the next statement (the next step's record, or the run's end): a crash before
  // that leaves the WAIT waiting with its time passed, and it is closed again.
  await ctx.succeed(step, { resumedAt: ctx.now().toISOString() }, { defer: true });
  return "continue";
}

/** `until` from an expression is held to the save-time rule: an ISO 8601 date-time with offset. */
function untilInstant(ctx: ControlContext, until: unknown): Date {
  if (typeof until === "string" && isoInstant.safeParse(until).success) return new Date(until);
  throw new WorkflowError("E_VALIDATION", {
    message: `The wait's until is ${JSON.stringify(until) ?? String(until)}, not a date-time with offset like 2025-01-31T09:00:00Z`,
    remediation: "Make the expression give an ISO 8601 date-time with its offset (Z or +01:00)",
    nodeId: ctx.node.id,
    details: { value: until },
  });
}
