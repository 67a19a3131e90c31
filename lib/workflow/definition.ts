import { z } from "zod";
import { findUnsafeSpots } from "./json";

// The one schema for a workflow definition, shared by the editor, the API and the runner.
// It checks shape only; graph rules and node configs are checked by validateDefinition.

export const definitionLimits = {
  maxNodes: 2000,
  maxEdges: 5000,
  maxNameLength: 120,
  /** Nesting of a config object (the config itself is level 1). */
  maxConfigDepth: 32,
} as const;

/** The trigger is the implicit first node: edges leave it as source "trigger", handle "out". */
export const TRIGGER_ID = "trigger";
export const NODE_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

const nodeIdSchema = z
  .string()
  .regex(NODE_ID_PATTERN, "An id starts with a letter, then up to 63 letters, digits, _ or -")
  .refine((id) => id !== TRIGGER_ID, `"${TRIGGER_ID}" is reserved for the workflow's trigger`);

/** An id an edge may point at: a node id, or "trigger". */
const endpointSchema = z.string().regex(NODE_ID_PATTERN, 'Use a node id, or "trigger"');

const handleSchema = z.string().min(1).max(64);

// Checked on the raw input: zod drops a "__proto__" key while parsing a record, which would hide it.
const configSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    for (const spot of findUnsafeSpots(value, definitionLimits.maxConfigDepth)) {
      ctx.addIssue({
        code: "custom",
        path: spot.path,
        message:
          spot.reason === "too_deep"
            ? `Nested more than ${definitionLimits.maxConfigDepth} levels deep`
            : `"${String(spot.path[spot.path.length - 1])}" is not allowed as a key`,
      });
    }
  })
  .pipe(z.record(z.string(), z.unknown()));

/** Node configs may carry the node type version they were saved with (see loadDefinition). */
const nodeConfigSchema = configSchema.pipe(z.looseObject({ __v: z.int().positive().optional() }));

const retrySchema = z.object({
  maxAttempts: z.int().min(1).max(20),
  backoff: z
    .object({
      initialMs: z.int().min(0).max(3_600_000),
      factor: z.number().min(1).max(10),
      maxMs: z.int().min(0).max(86_400_000),
    })
    .refine((backoff) => backoff.maxMs >= backoff.initialMs, { message: "maxMs must be at least initialMs", path: ["maxMs"] })
    .default({ initialMs: 1000, factor: 2, maxMs: 60_000 }),
  jitter: z.boolean().default(true),
});

// Which trigger types exist is the catalog's to say (validateDefinition checks it), like node types.
export const triggerSchema = z.object({
  type: z.string().min(1).max(100),
  config: configSchema.default({}),
});

export const nodeSchema = z.object({
  id: nodeIdSchema,
  type: z.string().min(1).max(100),
  name: z.string().min(1).max(definitionLimits.maxNameLength),
  config: nodeConfigSchema.default({}),
  position: z.object({ x: z.number(), y: z.number() }),
  retry: retrySchema.optional(),
  /** Pins the connection the step uses, over the default resolution order. */
  connectionId: z.string().min(1).max(64).optional(),
  /** A failure takes the node's "error" handle instead of failing the run. */
  continueOnError: z.boolean().optional(),
});

export const edgeSchema = z.object({
  id: z.string().min(1).max(256),
  source: endpointSchema,
  sourceHandle: handleSchema.default("out"),
  target: endpointSchema,
  targetHandle: handleSchema.default("in"),
});

const pointSchema = z.object({ x: z.number(), y: z.number() });

/** A comment on the canvas. Its id shares nothing with node ids: notes are never run or connected. */
export const stickyNoteSchema = z.object({
  id: z.string().min(1).max(64),
  text: z.string().max(5000),
  position: pointSchema,
  width: z.number().min(120).max(1200).optional(),
  height: z.number().min(60).max(1200).optional(),
});

/** Editor state that never affects a run: where the view was, where the trigger sits, the sticky notes. */
const uiSchema = z.object({
  viewport: z.object({ x: z.number(), y: z.number(), zoom: z.number().positive() }).optional(),
  trigger: pointSchema.optional(),
  notes: z.array(stickyNoteSchema).max(500).optional(),
});

export const definitionSchema = z.object({
  trigger: triggerSchema,
  nodes: z.array(nodeSchema).max(definitionLimits.maxNodes).default([]),
  edges: z.array(edgeSchema).max(definitionLimits.maxEdges).default([]),
  ui: uiSchema.optional(),
});

export type WorkflowDefinition = z.output<typeof definitionSchema>;
/** What an API client may send: defaults (config, handles, retry backoff) filled in on parse. */
export type WorkflowDefinitionInput = z.input<typeof definitionSchema>;
export type WorkflowNode = WorkflowDefinition["nodes"][number];
export type WorkflowEdge = WorkflowDefinition["edges"][number];
export type WorkflowTrigger = WorkflowDefinition["trigger"];
export type StickyNote = z.output<typeof stickyNoteSchema>;
export type NodeConfig = WorkflowNode["config"];

/** A stored config without its __v: the fields its node type defines. */
export function configFields(config: NodeConfig): Record<string, unknown> {
  if (!Object.hasOwn(config, "__v")) return config;
  const fields: Record<string, unknown> = { ...config };
  delete fields["__v"];
  return fields;
}

export function emptyDefinition(): WorkflowDefinition {
  return { trigger: { type: "manual", config: {} }, nodes: [], edges: [] };
}
