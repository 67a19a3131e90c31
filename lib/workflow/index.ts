// The public surface of lib/workflow: the definition contract, node types, templates, conditions,
// validation and the error taxonomy. Import from "@/lib/workflow", not from the files behind it.

export { approvalNodeType } from "./control/approval";
export { ifNodeType } from "./control/if";
export { loopNodeType } from "./control/loop";
export { noopNodeType } from "./control/noop";
export { waitNodeType } from "./control/wait";

export { comparisonOperators, conditionSchema, evaluateCondition, type Comparison, type ComparisonOperator, type Condition } from "./conditions";
export {
  definitionLimits,
  definitionSchema,
  emptyDefinition,
  TRIGGER_ID,
  type NodeConfig,
  type WorkflowDefinition,
  type WorkflowDefinitionInput,
  type WorkflowEdge,
  type WorkflowNode,
  type WorkflowTrigger,
} from "./definition";
export { summarizeDiff, type DefinitionDiff } from "./diff";
export { errorCodes, toWorkflowError, WorkflowError, type ErrorCode, type WorkflowErrorJson, type WorkflowErrorOptions } from "./errors";
export {
  collectReferences,
  interpolate,
  parseTemplate,
  templateLimits,
  type InterpolateOptions,
  type InterpolationScope,
  type Template,
  type TemplateReference,
  type TemplateRoot,
} from "./interpolation";
export { loadDefinition } from "./load-definition";
export {
  checkNodeConfig,
  ERROR_HANDLE,
  createNodeCatalog,
  outputHandlesOf,
  triggerOutputs,
  type ConfigProblem,
  type NodeCatalog,
  type NodeType,
  type NodeTypeSpec,
  type OutputHandle,
} from "./node-types";
export type { TriggerTypeSpec } from "./trigger-types";
export { problemCodes, type Problem, type ProblemCode, type ValidationMode } from "./problems";
export { validateDefinition, type ValidateOptions } from "./validate";
