import type { z } from "zod";
import { configFields, type NodeConfig, type WorkflowNode } from "./definition";
import type { NodeBehaviour } from "./engine/control";
import type { NodeExecutor } from "./engine/executors";
import { flattenIssues, type Problem, type ValidationMode } from "./problems";
import type { TriggerTypeSpec } from "./trigger-types";

// What a kind of node is: its config and output schemas, its handles, and how it runs. There is
// no registry here: lib/catalog builds the one list (control, core, every provider action) and
// passes it to validation and the engine as a NodeCatalog, so what is known never depends on
// which module happened to be imported first.

export type OutputHandle = {
  id: string;
  /** Shown on the handle in the editor; the id when left out. */
  label?: string;
  /** Whether the handle may lead to several nodes (fan-out). By default it has at most one edge. */
  multiple?: boolean;
};

export type NodeTypeSpec<Config extends z.ZodType = z.ZodType, Output extends z.ZodType = z.ZodType> = {
  /** "<namespace>.<name>", e.g. "control.if" or "slack.send_message". */
  type: string;
  label: string;
  /** Groups types in the editor's palette: "control", "core", or a provider's id. */
  category: string;
  description?: string;
  /** Bumped when the config's shape changes; configs saved with an older one go through migrate. */
  version: number;
  /** Turns a config saved at `fromVersion` (without its __v) into one for the current version. */
  migrate?: (config: Record<string, unknown>, fromVersion: number) => Record<string, unknown>;
  config: Config;
  /** A config that is valid as it is: the editor's starting point and the catalog's example. */
  example?: Record<string, unknown>;
  /** Input handles; ["in"] when left out. */
  inputs?: readonly string[];
  outputs: readonly OutputHandle[];
  /** What the step's output looks like, for the editor's variable picker. */
  output: Output;
  /** How a node that is not a control node does its work (core nodes, provider actions, test nodes). */
  executor?: NodeExecutor;
  /** How the interpreter walks it: its handle, a body, or its own execution (control nodes, lib/workflow/engine/control.ts). */
  behaviour?: NodeBehaviour;
};

export type NodeType = NodeTypeSpec & { inputs: readonly string[] };

/** The node and trigger types validation and the engine know: built once from static lists, passed explicitly. */
export type NodeCatalog = {
  get(type: string): NodeType | undefined;
  list(): readonly NodeType[];
  trigger(type: string): TriggerTypeSpec | undefined;
  triggers(): readonly TriggerTypeSpec[];
};

/** Added to a node's outputs when it sets continueOnError: its failures leave through it. */
export const ERROR_HANDLE = "error";

/** The trigger's handles: it starts every branch, so it may fan out. */
export const triggerOutputs: readonly OutputHandle[] = [{ id: "out", multiple: true }];

function checked(spec: NodeTypeSpec): NodeType {
  if (!Number.isInteger(spec.version) || spec.version < 1) throw new Error(`Node type "${spec.type}" needs a whole version ≥ 1`);
  const handles = spec.outputs.map((handle) => handle.id);
  if (handles.includes(ERROR_HANDLE) || new Set(handles).size !== handles.length) {
    throw new Error(`Node type "${spec.type}" declares a duplicate output handle or the reserved "${ERROR_HANDLE}"`);
  }
  return { ...spec, inputs: spec.inputs ?? ["in"] };
}

function indexBy<T extends { type: string }>(items: readonly T[], what: string): Map<string, T> {
  const byType = new Map<string, T>();
  for (const item of items) {
    if (byType.has(item.type)) throw new Error(`${what} "${item.type}" is listed twice`);
    byType.set(item.type, item);
  }
  return byType;
}

/** A catalog of the given node and trigger types; a type listed twice is a programming error. */
export function createNodeCatalog(lists: { nodeTypes: readonly NodeTypeSpec[]; triggerTypes: readonly TriggerTypeSpec[] }): NodeCatalog {
  const nodes = indexBy(lists.nodeTypes.map(checked), "Node type");
  const triggers = indexBy(lists.triggerTypes, "Trigger type");
  const allNodes = [...nodes.values()];
  const allTriggers = [...triggers.values()];
  return { get: (type) => nodes.get(type), list: () => allNodes, trigger: (type) => triggers.get(type), triggers: () => allTriggers };
}

export function outputHandlesOf(nodeType: NodeType, node: Pick<WorkflowNode, "continueOnError">): readonly OutputHandle[] {
  return node.continueOnError ? [...nodeType.outputs, { id: ERROR_HANDLE, label: "On error" }] : nodeType.outputs;
}

export type ConfigProblem = Pick<Problem, "severity" | "code" | "message" | "path">;

/**
 * Checks a config against its type's schema. A missing required field is a warning in a draft
 * (the form is still being filled in) and an error in strict mode; a wrong value is always an error.
 * Paths are relative to the config.
 */
export function checkConfigSchema(schema: z.ZodType, fields: Record<string, unknown>, mode: ValidationMode): ConfigProblem[] {
  const result = schema.safeParse(fields, { reportInput: true });
  if (result.success) return [];
  return flattenIssues(result.error.issues).map(({ path, message, missing }) => ({
    severity: missing && mode === "draft" ? "warning" : "error",
    code: missing ? "config_missing_field" : "config_invalid",
    message,
    path,
  }));
}

export const checkNodeConfig = (nodeType: NodeType, config: NodeConfig, mode: ValidationMode): ConfigProblem[] =>
  checkConfigSchema(nodeType.config, configFields(config), mode);
