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
  config: z.object({ condition: conditionSchema }),
  outputs: [{ id: "true" }, { id: "false" }],
  output: z.object({ result: z.boolean() }),
} satisfies NodeTypeSpec;
