import { z } from "zod";

// What the browser may know of the catalog: plain JSON, built on the server by describeCatalog()
// (lib/catalog/describe.ts) and served at GET /api/v1/catalog. One zod schema per contract (the
// API documents and tests responses with it); nothing here imports server code, so client
// components import it freely.

/** A JSON Schema (draft 2020-12) as z.toJSONSchema prints it. */
export const jsonSchemaSchema = z.record(z.string(), z.unknown());
export type JsonSchema = z.infer<typeof jsonSchemaSchema>;

/** How the editor draws a config field. */
export const fieldWidgets = [
  "text",
  "multiline",
  "number",
  "boolean",
  "select",
  "expression",
  "duration",
  "date-time",
  "json",
  "connection",
  "options",
  "condition",
  "list",
] as const;
export type FieldWidget = (typeof fieldWidgets)[number];

/** The UI hints of one config field, declared beside its zod schema with `.meta({ ui: … })`. */
export const fieldHintSchema = z.object({
  /** The field's key in the config (top-level fields only; nested values are one widget). */
  key: z.string(),
  label: z.string(),
  help: z.string().optional(),
  placeholder: z.string().optional(),
  widget: z.enum(fieldWidgets),
  /** Missing it is a warning in a draft and an error at publish. */
  required: z.boolean(),
  /** For widget "options": the loader that lists the choices, e.g. "slack.channels". */
  loader: z.string().optional(),
  /** For widget "select": the fixed choices. */
  choices: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
  /** Shown under "More options" in the modal. */
  advanced: z.boolean().optional(),
});
export type FieldHint = z.infer<typeof fieldHintSchema>;

export const handleDescriptionSchema = z.object({ id: z.string(), label: z.string(), multiple: z.boolean().optional() });
export type HandleDescription = z.infer<typeof handleDescriptionSchema>;

/** A built-in icon the editor draws itself; providers ship their own SVG. */
export const builtinIcons = ["if", "loop", "wait", "approval", "noop", "manual", "webhook", "schedule", "email", "document"] as const;
export type BuiltinIcon = (typeof builtinIcons)[number];
export const iconDescriptionSchema = z.union([z.object({ builtin: z.enum(builtinIcons) }), z.object({ src: z.string() })]);
export type IconDescription = z.infer<typeof iconDescriptionSchema>;

export const nodeTypeDescriptionSchema = z.object({
  /** "control.if", "core.noop", "slack.send_message" */
  type: z.string(),
  name: z.string(),
  description: z.string(),
  /** "control", "core", or the provider's id. */
  category: z.string(),
  /** The provider whose action this is; absent for control and core nodes. */
  provider: z.string().optional(),
  icon: iconDescriptionSchema,
  version: z.int(),
  configSchema: jsonSchemaSchema,
  fields: z.array(fieldHintSchema),
  inputs: z.array(handleDescriptionSchema),
  /** Declared output handles. A node with continueOnError also gets the "error" handle. */
  outputs: z.array(handleDescriptionSchema),
  /** The shape of the step's output: what {{step.<id>.output.…}} can read. */
  outputSchema: jsonSchemaSchema,
  /** A config that is valid as it is. */
  example: z.record(z.string(), z.unknown()),
  /** Changes something outside Flowline (a message, an invoice): confirm before testing it. */
  effectful: z.boolean(),
});
export type NodeTypeDescription = z.infer<typeof nodeTypeDescriptionSchema>;

export const triggerTypeDescriptionSchema = z.object({
  /** "manual", "webhook", "schedule", "email.inbound", "document.completed" */
  type: z.string(),
  name: z.string(),
  description: z.string(),
  icon: iconDescriptionSchema,
  configSchema: jsonSchemaSchema,
  fields: z.array(fieldHintSchema),
  /** The shape of {{trigger.payload.…}}. */
  payloadSchema: jsonSchemaSchema,
  example: z.record(z.string(), z.unknown()),
  /** A payload such a trigger produces, for the variable picker's previews. */
  samplePayload: z.unknown(),
  outputs: z.array(handleDescriptionSchema),
});
export type TriggerTypeDescription = z.infer<typeof triggerTypeDescriptionSchema>;

export const optionLoaderDescriptionSchema = z.object({ id: z.string(), label: z.string(), searchable: z.boolean() });
export type OptionLoaderDescription = z.infer<typeof optionLoaderDescriptionSchema>;

export const providerDescriptionSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  icon: iconDescriptionSchema,
  categories: z.array(z.string()),
  /** builtin: Flowline's own app (the Doc Manager), nothing to connect. */
  auth: z.object({
    oauth: z.boolean(),
    token: z.object({ label: z.string(), placeholder: z.string(), help: z.string() }).nullable(),
    builtin: z.boolean(),
  }),
  /** The node types of its actions. */
  actions: z.array(z.string()),
  optionLoaders: z.array(optionLoaderDescriptionSchema),
});
export type ProviderDescription = z.infer<typeof providerDescriptionSchema>;

export const catalogDescriptionSchema = z.object({
  nodeTypes: z.array(nodeTypeDescriptionSchema),
  triggerTypes: z.array(triggerTypeDescriptionSchema),
  providers: z.array(providerDescriptionSchema),
});
export type CatalogDescription = z.infer<typeof catalogDescriptionSchema>;

/** One choice of an options loader. */
export const optionItemSchema = z.object({ value: z.string(), label: z.string(), description: z.string().optional() });
export type OptionItem = z.infer<typeof optionItemSchema>;
export const optionsPageSchema = z.object({ connectionId: z.string(), options: z.array(optionItemSchema), nextCursor: z.string().nullable() });
export type OptionsPage = z.infer<typeof optionsPageSchema>;

/** What an options request names: the loader, and optionally the connection the step pins and its workflow (whose own connection then applies). */
export const optionsQuerySchema = z.object({
  loader: z
    .string()
    .regex(/^[a-z0-9_]+\.[a-z0-9_]+$/, "A loader id looks like slack.channels")
    .max(100),
  connectionId: z.string().min(1).max(64).optional(),
  workflowId: z.string().min(1).max(64).optional(),
  search: z.string().max(200).optional(),
  cursor: z.string().max(500).optional(),
});
