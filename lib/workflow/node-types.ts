import type { z } from "zod";
import { approvalNodeType } from "./control/approval";
import { ifNodeType } from "./control/if";
import { loopNodeType } from "./control/loop";
import { noopNodeType } from "./control/noop";
import { waitNodeType } from "./control/wait";
import { configFields, type NodeConfig, type WorkflowNode } from "./definition";
import { flattenIssues, type Problem, type ValidationMode } from "./problems";

// The node-type registry: what each kind of node is called, how its config and output look, and
// which handles it has. Built-in types are registered below; integration actions go through
// registerNodeTypes with the same contract, so the editor, validation and runner treat them alike.

export type OutputHandle = {
  id: string;
  /** Whether the handle may lead to several nodes (fan-out). By default it has at most one edge. */
  multiple?: boolean;
};

export type NodeTypeSpec<Config extends z.ZodType = z.ZodType, Output extends z.ZodType = z.ZodType> = {
  /** "<namespace>.<name>", e.g. "control.if" or "slack.sendMessage". */
  type: string;
  label: string;
  /** Groups types in the editor's palette: "control", "core", or an integration's app id. */
  category: string;
  description?: string;
  /** Bumped when the config's shape changes; configs saved with an older one go through migrate. */
  version: number;
  /** Turns a config saved at `fromVersion` (without its __v) into one for the current version. */
  migrate?: (config: Record<string, unknown>, fromVersion: number) => Record<string, unknown>;
  config: Config;
  /** Input handles; ["in"] when left out. */
  inputs?: readonly string[];
  outputs: readonly OutputHandle[];
  /** What the step's output looks like, for the editor's variable picker. */
  output: Output;
};

export type NodeType = NodeTypeSpec & { inputs: readonly string[] };

/** Added to a node's outputs when it sets continueOnError: its failures leave through it. */
export const ERROR_HANDLE = "error";

/** The trigger's handles: it starts every branch, so it may fan out. */
export const triggerOutputs: readonly OutputHandle[] = [{ id: "out", multiple: true }];

const registry = new Map<string, NodeType>();

export function registerNodeType(spec: NodeTypeSpec): NodeType {
  if (registry.has(spec.type)) throw new Error(`Node type "${spec.type}" is registered twice`);
  if (!Number.isInteger(spec.version) || spec.version < 1) throw new Error(`Node type "${spec.type}" needs a whole version ≥ 1`);
  const handles = spec.outputs.map((handle) => handle.id);
  if (handles.includes(ERROR_HANDLE) || new Set(handles).size !== handles.length) {
    throw new Error(`Node type "${spec.type}" declares a duplicate output handle or the reserved "${ERROR_HANDLE}"`);
  }
  const nodeType: NodeType = { ...spec, inputs: spec.inputs ?? ["in"] };
  registry.set(spec.type, nodeType);
  return nodeType;
}

/** How integrations add their actions: one call with the whole list, at startup. */
export function registerNodeTypes(specs: readonly NodeTypeSpec[]): void {
  for (const spec of specs) registerNodeType(spec);
}

export function getNodeType(type: string): NodeType | undefined {
  return registry.get(type);
}

export function listNodeTypes(): NodeType[] {
  return [...registry.values()];
}

export function outputHandlesOf(nodeType: NodeType, node: Pick<WorkflowNode, "continueOnError">): readonly OutputHandle[] {
  return node.continueOnError ? [...nodeType.outputs, { id: ERROR_HANDLE }] : nodeType.outputs;
}

export type ConfigProblem = Pick<Problem, "severity" | "code" | "message" | "path">;

/**
 * Checks a config against its type's schema. A missing required field is a warning in a draft
 * (the form is still being filled in) and an error in strict mode; a wrong value is always an error.
 * Paths are relative to the config.
 */
export function checkNodeConfig(nodeType: NodeType, config: NodeConfig, mode: ValidationMode): ConfigProblem[] {
  const result = nodeType.config.safeParse(configFields(config), { reportInput: true });
  if (result.success) return [];
  return flattenIssues(result.error.issues).map(({ path, message, missing }) => ({
    severity: missing && mode === "draft" ? "warning" : "error",
    code: missing ? "config_missing_field" : "config_invalid",
    message,
    path,
  }));
}

registerNodeTypes([noopNodeType, ifNodeType, loopNodeType, waitNodeType, approvalNodeType]);
