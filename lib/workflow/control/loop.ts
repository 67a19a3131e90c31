import { z } from "zod";
import type { ControlContext, Flow } from "../engine/control";
import { WorkflowError } from "../errors";
import { parseTemplate, singleExpression } from "../interpolation";
import type { NodeTypeSpec } from "../node-types";

// LOOP: its record (running until every iteration is done) keeps the list it was given, so a
// resumed run walks the same items; each item runs the body scope under iteration path "<i>".

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
      .meta({
        ui: { label: "Items", widget: "expression", help: "A list; the body runs once per item, as {{loop.item}}", placeholder: "{{step.fetch.output.rows}}" },
      }),
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
  behaviour: { handle: () => "done", body: "body", run: runLoop },
} satisfies NodeTypeSpec;

async function runLoop(ctx: ControlContext): Promise<Flow> {
  let step = ctx.existing;
  if (!step) {
    const startedAt = ctx.now();
    const { items, maxIterations } = ctx.config<{ items: unknown; maxIterations?: number }>();
    if (!Array.isArray(items))
      throw new WorkflowError("E_VALIDATION", {
        message: `The loop's items is not a list (got ${items === null ? "null" : typeof items})`,
        nodeId: ctx.node.id,
      });
    const max = maxIterations ?? loopLimits.defaultMaxIterations;
    if (items.length > max)
      throw new WorkflowError("E_VALIDATION", {
        message: `The list has ${items.length} items, more than the loop's maxIterations (${max})`,
        nodeId: ctx.node.id,
      });
    step = await ctx.open("running", { input: { items }, startedAt });
  }
  const items = ((step.input ?? {}) as { items?: unknown[] }).items ?? [];
  for (let index = 0; index < items.length; index++) {
    const flow = await ctx.runBody(index, items[index]);
    if (flow !== "continue") return flow;
  }
  await ctx.succeed(step, { iterations: items.length });
  return "continue";
}
