import { z } from "zod";
import { catalogLists, createCatalog } from "@/lib/catalog";
import { WorkflowError, type ErrorCode } from "@/lib/workflow/errors";
import type { NodeTypeSpec } from "@/lib/workflow/node-types";

// Node types that exist only in tests: they count their calls and fail on demand, so scenarios
// can assert exactly what the engine executed.

export const calls = new Map<string, number>();
const bump = (key: string) => {
  const next = (calls.get(key) ?? 0) + 1;
  calls.set(key, next);
  return next;
};
/** Effects performed, by idempotency key: an effect performed twice shows up as 2. */
export const effects = new Map<string, number>();

const counted = { category: "test", version: 1, outputs: [{ id: "out" }], output: z.object({}).passthrough() };

export const testNodeTypes: NodeTypeSpec[] = [
  {
    ...counted,
    type: "test.count",
    label: "Count",
    config: z.object({ key: z.string(), value: z.unknown().optional() }),
    executor: { effectful: false, execute: async (_ctx, input) => ({ calls: bump(String(input.key)), value: input.value }) },
  },
  {
    ...counted,
    type: "test.flaky",
    label: "Flaky",
    config: z.object({ key: z.string(), failTimes: z.number().int() }),
    executor: {
      effectful: false,
      execute: async (_ctx, input) => {
        const call = bump(String(input.key));
        if (call <= Number(input.failTimes)) throw new WorkflowError("E_PROVIDER", { message: `flaky call ${call} failed` });
        return { call };
      },
    },
  },
  {
    ...counted,
    type: "test.fail",
    label: "Fail",
    config: z.object({ code: z.string() }),
    executor: {
      effectful: false,
      execute: async (_ctx, input) => {
        throw new WorkflowError(input.code as ErrorCode, { message: `failed with ${String(input.code)}` });
      },
    },
  },
  {
    ...counted,
    type: "test.effect",
    label: "Effect",
    config: z.object({ key: z.string() }),
    executor: {
      effectful: true,
      execute: async (ctx) => {
        effects.set(ctx.idempotencyKey, (effects.get(ctx.idempotencyKey) ?? 0) + 1);
        return { done: true };
      },
    },
  },
  {
    ...counted,
    type: "test.rateLimited",
    label: "Rate limited",
    config: z.object({ key: z.string(), times: z.number().int() }),
    executor: {
      effectful: false,
      execute: async (_ctx, input) => {
        const call = bump(String(input.key));
        if (call <= Number(input.times)) throw new WorkflowError("E_RATE_LIMITED", { message: `slow down (call ${call})`, retryAfterMs: 100 });
        return { call };
      },
    },
  },
];

/** The real catalog plus the test nodes: what tests hand to validation, the store and workers. */
export const testCatalog = createCatalog({ ...catalogLists, nodeTypes: [...catalogLists.nodeTypes, ...testNodeTypes] });
