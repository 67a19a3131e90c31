import { z } from "zod";
import { conditionSchema } from "../conditions";
import type { NodeTypeSpec } from "../node-types";

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
} satisfies NodeTypeSpec;
