import { z } from "zod";
import { conditionSchema, evaluateCondition, type Condition } from "../conditions";
import type { NodeTypeSpec } from "../node-types";

// IF: one evaluation of its condition, recorded like any step; the branch it takes is read back
// from the record's output.

export const ifNodeType = {
  type: "control.if",
  label: "If",
  category: "control",
  description: "Continues on the true or the false branch, depending on a condition",
  version: 2,
  // Version 1 held one comparison flat in the config; version 2 nests it under `condition`, so
  // that groups (all/any) fit too.
  migrate: ({ op, left, right }) => ({ condition: { op, left, right } }),
  config: z.object({ condition: conditionSchema.meta({ ui: { label: "Condition", widget: "condition" } }) }),
  example: { condition: { op: "gt", left: "{{trigger.payload.amount}}", right: 1000 } },
  outputs: [
    { id: "true", label: "True" },
    { id: "false", label: "False" },
  ],
  output: z.object({ result: z.boolean() }),
  executor: {
    effectful: false,
    execute: async (_ctx, input) => ({ result: evaluateCondition(input.condition as Condition) }),
    preview: (_ctx, input) => ({ result: evaluateCondition(input.condition as Condition) }),
  },
  behaviour: {
    handle: (output) => ((output as { result?: unknown } | null)?.result ? "true" : "false"),
    lenientTemplates: true,
  },
} satisfies NodeTypeSpec;
