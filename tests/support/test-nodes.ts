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

/** What test.undoable's undo undid, in order, and through which connection. */
export const undone: { externalRef: string; connectionId: string | null }[] = [];
/** Makes the next undo of an effect (by its externalRef) fail with this message. */
export const undoFaults = new Map<string, string>();

const counted = { category: "test", version: 1, outputs: [{ id: "out" }], output: z.object({}).passthrough() };

type Gate = { entered: Promise<void>; enter(): void; released: Promise<void>; release(): void };
const gates = new Map<string, Gate>();
/**
 * A step that holds until the test releases it, like a slow provider call: `entered` resolves
 * when a test.gate step with this key starts. A worker's shutdown aborts it as an HTTP call
 * would be (E_TIMEOUT), so tests can see what the engine makes of that.
 */
export function gate(key: string): Gate {
  let found = gates.get(key);
  if (!found) {
    let enter!: () => void;
    let release!: () => void;
    const entered = new Promise<void>((resolve) => (enter = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    found = { entered, enter, released, release };
    gates.set(key, found);
  }
  return found;
}

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
    config: z.object({ code: z.string(), remediation: z.string().optional() }),
    executor: {
      effectful: false,
      execute: async (_ctx, input) => {
        throw new WorkflowError(input.code as ErrorCode, {
          message: `failed with ${String(input.code)}`,
          ...(typeof input.remediation === "string" ? { remediation: input.remediation } : {}),
        });
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
    type: "test.undoable",
    label: "Undoable effect",
    config: z.object({ key: z.string() }),
    executor: {
      effectful: true,
      execute: async (ctx, input) => {
        // The node's connection stands for the one a provider action would resolve.
        ctx.reportEffect({ credentialId: ctx.node.connectionId ?? null, externalRef: `${ctx.runId}:${String(input.key)}` });
        return { done: true };
      },
      undo: {
        strategy: "api_delete",
        canUndo: true,
        needsConnection: true,
        run: async ({ externalRef, connectionId }) => {
          const fault = undoFaults.get(externalRef);
          if (fault) {
            undoFaults.delete(externalRef);
            throw new WorkflowError("E_PROVIDER", { message: fault, remediation: "Try again later" });
          }
          undone.push({ externalRef, connectionId });
        },
        describe: ({ externalRef }) => ({ text: `Delete ${externalRef}` }),
      },
    },
  },
  {
    ...counted,
    type: "test.gate",
    label: "Gate",
    config: z.object({ key: z.string() }),
    executor: {
      effectful: false,
      execute: async (ctx, input) => {
        const held = gate(String(input.key));
        held.enter();
        await new Promise<void>((resolve, reject) => {
          void held.released.then(resolve);
          ctx.signal.addEventListener("abort", () => reject(new WorkflowError("E_TIMEOUT", { message: "the call was aborted" })), { once: true });
        });
        return { released: true };
      },
    },
  },
  {
    ...counted,
    type: "test.effectGate",
    label: "Effect gate",
    config: z.object({ key: z.string() }),
    executor: {
      effectful: true,
      // A slow provider call with effects: it finishes whatever happens to the run meanwhile.
      execute: async (ctx, input) => {
        const held = gate(String(input.key));
        held.enter();
        await held.released;
        effects.set(ctx.idempotencyKey, (effects.get(ctx.idempotencyKey) ?? 0) + 1);
        return { posted: true };
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

/**
 * A SWITCH written the way a new control node is: one spec with its behaviour (the handle its
 * record leaves through), added to the catalog's list. The interpreter needs no change for it.
 */
export const switchNodeType: NodeTypeSpec = {
  type: "test.switch",
  label: "Switch",
  category: "control",
  version: 1,
  config: z.object({ value: z.string(), cases: z.array(z.string()) }),
  outputs: [{ id: "a" }, { id: "b" }, { id: "other" }],
  output: z.object({ match: z.string() }),
  executor: {
    effectful: false,
    execute: async (_ctx, input) => ({ match: (input.cases as string[]).includes(String(input.value)) ? String(input.value) : "other" }),
  },
  behaviour: { handle: (output) => (output as { match: string }).match },
};

/** The real catalog plus the test nodes: what tests hand to validation, the store and workers. */
export const testCatalog = createCatalog({ ...catalogLists, nodeTypes: [...catalogLists.nodeTypes, ...testNodeTypes, switchNodeType] });
