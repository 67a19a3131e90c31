import { z } from "zod";
import { parseTemplate, singleExpression } from "../interpolation";
import type { NodeTypeSpec } from "../node-types";

export const loopLimits = { defaultMaxIterations: 1000, maxIterations: 10_000 } as const;

function isOneExpression(text: string): boolean {
  try {
    return singleExpression(parseTemplate(text)) !== undefined;
  } catch {
    return true; // a malformed template is reported once, by the template check
  }
}

export const loopNodeType = {
  type: "control.loop",
  label: "Loop",
  category: "control",
  description: "Runs the body branch once per item of a list, in order, then continues on done",
  version: 1,
  config: z.object({
    items: z
      .string()
      .min(1)
      .refine(isOneExpression, "items must be one {{…}} expression giving a list, like {{step.fetch.output.rows}}")
      .meta({ ui: { label: "Items", widget: "expression", help: "A list; the body runs once per item, as {{loop.item}}", placeholder: "{{step.fetch.output.rows}}" } }),
    maxIterations: z
      .int()
      .min(1)
      .max(loopLimits.maxIterations)
      .default(loopLimits.defaultMaxIterations)
      .meta({ ui: { label: "At most", widget: "number", help: "A longer list fails the step", advanced: true } }),
  }),
  example: { items: "{{trigger.payload.items}}" },
  outputs: [
    { id: "body", label: "Each item" },
    { id: "done", label: "Done" },
  ],
  output: z.object({ iterations: z.int().min(0) }),
} satisfies NodeTypeSpec;
