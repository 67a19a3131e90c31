import type { JsonSchema } from "@/lib/catalog/description";
import type { WorkflowDefinition } from "@/lib/workflow/definition";
import { interpolate, type InterpolationScope } from "@/lib/workflow/interpolation";
import { WorkflowError } from "@/lib/workflow/errors";
import { enclosingLoops, upstreamOf, type CatalogIndex } from "./graph";

// What a {{…}} expression can read at a node: the trigger's payload, the output of every step
// that runs before it, and the innermost loop's item and index inside a loop body.

export type Variable = {
  /** The expression's path, inserted as {{path}}. */
  path: string;
  /** Where it comes from, as the picker groups it: "Trigger", a step's name, "Loop". */
  group: string;
  description?: string;
  type?: string;
  /** A value it had: from the sample payload or the last run. */
  sample?: unknown;
};

const MAX_DEPTH = 3;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const typeOf = (value: unknown) => (Array.isArray(value) ? "array" : value === null ? "null" : typeof value);

/** The fields a schema declares; for an open object (the manual trigger's payload), those of the sample. */
function fieldsOf(schema: JsonSchema | undefined, prefix: string, group: string, sample: unknown, depth = 0): Variable[] {
  if (depth >= MAX_DEPTH) return [];
  const declared = schema?.properties as Record<string, JsonSchema> | undefined;
  const properties =
    declared ?? (isRecord(sample) ? Object.fromEntries(Object.entries(sample).map(([key, value]) => [key, { type: typeOf(value) }])) : undefined);
  if (!properties) return [];
  return Object.entries(properties).flatMap(([key, child]) => {
    const path = `${prefix}.${key}`;
    const value = sample !== null && typeof sample === "object" ? (sample as Record<string, unknown>)[key] : undefined;
    const type = typeof child.type === "string" ? child.type : undefined;
    const here: Variable = {
      path,
      group,
      type,
      ...(typeof child.description === "string" ? { description: child.description } : {}),
      ...(value !== undefined ? { sample: value } : {}),
    };
    return [here, ...fieldsOf(child, path, group, value, depth + 1)];
  });
}

/** The last run's payload, else the sample the person captured on the trigger, else the catalog's. */
function samplePayload(index: CatalogIndex, definition: WorkflowDefinition, samples: ReadonlyMap<string, unknown>): unknown {
  return samples.get("trigger") ?? definition.trigger.config.samplePayload ?? index.triggerTypes.get(definition.trigger.type)?.samplePayload;
}

/**
 * The data a {{…}} at `nodeId` would read, as the runner builds it: the sample payload and the
 * last run's outputs of the steps before it only (so a step that runs later gives the error it
 * would give), and inside a loop its first item.
 */
export function previewScope(
  index: CatalogIndex,
  definition: WorkflowDefinition,
  nodeId: string,
  samples: ReadonlyMap<string, unknown> = new Map(),
): InterpolationScope {
  const steps: Record<string, { output: unknown }> = {};
  for (const node of upstreamOf(definition, nodeId)) if (samples.has(node.id)) steps[node.id] = { output: samples.get(node.id) };
  const scope: InterpolationScope = {
    trigger: { type: definition.trigger.type, source: "ui", payload: samplePayload(index, definition, samples) ?? {} },
    steps,
    run: { id: "preview" },
  };
  const loop = enclosingLoops(definition, nodeId)[0];
  if (!loop) return scope;
  const items = resolvePreview(loop.config.items, { ...scope, steps: Object.fromEntries(Object.entries(steps).filter(([id]) => id !== loop.id)) }, loop.id);
  return { ...scope, loop: { item: items.ok && Array.isArray(items.value) ? items.value[0] : undefined, index: 0 } };
}

export type PreviewResult = { ok: true; value: unknown } | { ok: false; message: string; remediation: string };

/** A field's value resolved with the runner's own interpolation; the error a run would record if it cannot be. */
export function resolvePreview(value: unknown, scope: InterpolationScope, nodeId: string): PreviewResult {
  try {
    return { ok: true, value: interpolate(value, scope, { nodeId }) };
  } catch (error) {
    if (!(error instanceof WorkflowError)) throw error;
    return { ok: false, message: error.message, remediation: error.remediation };
  }
}

/** `samples` holds what the last run saw, by node id ("trigger" for the payload), when there is one. */
export function variablesAt(
  index: CatalogIndex,
  definition: WorkflowDefinition,
  nodeId: string,
  samples: ReadonlyMap<string, unknown> = new Map(),
): Variable[] {
  const trigger = index.triggerTypes.get(definition.trigger.type);
  const payload = samplePayload(index, definition, samples);
  const variables: Variable[] = [
    { path: "trigger.payload", group: "Trigger", type: "object", description: "Everything the trigger received", sample: payload },
    ...fieldsOf(trigger?.payloadSchema, "trigger.payload", "Trigger", payload),
  ];
  for (const node of upstreamOf(definition, nodeId)) {
    const output = samples.get(node.id);
    const group = node.name;
    variables.push({
      path: `step.${node.id}.output`,
      group,
      type: "object",
      description: `What “${node.name}” returned`,
      ...(output !== undefined ? { sample: output } : {}),
    });
    variables.push(...fieldsOf(index.nodeTypes.get(node.type)?.outputSchema, `step.${node.id}.output`, group, output));
  }
  const loop = enclosingLoops(definition, nodeId)[0];
  if (loop) {
    variables.push({ path: "loop.item", group: `Loop “${loop.name}”`, description: "The current item" });
    variables.push({ path: "loop.index", group: `Loop “${loop.name}”`, type: "integer", description: "The current item's position, from 0" });
  }
  return variables;
}
