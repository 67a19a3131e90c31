import { z } from "zod";
import type { NodeTypeSpec } from "../node-types";

// Does nothing but pass its (interpolated) `value` on as output: a fork point with fan-out, and a
// cheap step for tests and benchmarks.
export const noopNodeType = {
  type: "core.noop",
  label: "No-op",
  category: "core",
  description: "Passes its value through; a place to fork into several branches",
  version: 1,
  config: z.object({
    value: z
      .unknown()
      .optional()
      .meta({ ui: { label: "Value", widget: "json", help: "Passed on as the step's output; {{…}} allowed" } }),
  }),
  outputs: [{ id: "out", multiple: true }],
  output: z.object({ value: z.unknown().optional() }),
  example: { value: "{{trigger.payload}}" },
  executor: { effectful: false, execute: async (_ctx, input) => ({ value: input.value }), preview: (_ctx, input) => ({ value: input.value }) },
} satisfies NodeTypeSpec;
