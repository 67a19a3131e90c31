// What the browser may know of the catalog: plain JSON, built on the server by describeCatalog()
// (lib/catalog/describe.ts) and served at GET /api/v1/catalog. Nothing here imports server code,
// so client components import these types freely.

/** A JSON Schema (draft 2020-12) as z.toJSONSchema prints it. */
export type JsonSchema = { [key: string]: unknown };

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
export type FieldHint = {
  /** The field's key in the config (top-level fields only; nested values are one widget). */
  key: string;
  label: string;
  help?: string;
  placeholder?: string;
  widget: FieldWidget;
  /** Missing it is a warning in a draft and an error at publish. */
  required: boolean;
  /** For widget "options": the loader that lists the choices, e.g. "slack.channels". */
  loader?: string;
  /** For widget "select": the fixed choices. */
  choices?: { value: string; label: string }[];
  /** Shown under "More options" in the modal. */
  advanced?: boolean;
};

export type HandleDescription = { id: string; label: string; multiple?: boolean };

/** A built-in icon the editor draws itself; providers ship their own SVG. */
export const builtinIcons = ["if", "loop", "wait", "approval", "noop", "manual", "webhook", "schedule", "email", "document"] as const;
export type BuiltinIcon = (typeof builtinIcons)[number];
export type IconDescription = { builtin: BuiltinIcon } | { src: string };

export type NodeTypeDescription = {
  /** "control.if", "core.noop", "slack.send_message" */
  type: string;
  name: string;
  description: string;
  /** "control", "core", or the provider's id. */
  category: string;
  /** The provider whose action this is; absent for control and core nodes. */
  provider?: string;
  icon: IconDescription;
  version: number;
  configSchema: JsonSchema;
  fields: FieldHint[];
  inputs: HandleDescription[];
  /** Declared output handles. A node with continueOnError also gets the "error" handle. */
  outputs: HandleDescription[];
  /** The shape of the step's output: what {{step.<id>.output.…}} can read. */
  outputSchema: JsonSchema;
  /** A config that is valid as it is. */
  example: Record<string, unknown>;
  /** Changes something outside Flowline (a message, an invoice): confirm before testing it. */
  effectful: boolean;
};

export type TriggerTypeDescription = {
  /** "manual", "webhook", "schedule", "email.inbound", "document.completed" */
  type: string;
  name: string;
  description: string;
  icon: IconDescription;
  configSchema: JsonSchema;
  fields: FieldHint[];
  /** The shape of {{trigger.payload.…}}. */
  payloadSchema: JsonSchema;
  example: Record<string, unknown>;
  /** A payload such a trigger produces, for the variable picker's previews. */
  samplePayload: unknown;
  outputs: HandleDescription[];
};

export type OptionLoaderDescription = { id: string; label: string; searchable: boolean };

export type ProviderDescription = {
  id: string;
  name: string;
  description: string;
  icon: IconDescription;
  categories: string[];
  auth: { oauth: boolean; token: { label: string; placeholder: string; help: string } | null };
  /** The node types of its actions. */
  actions: string[];
  optionLoaders: OptionLoaderDescription[];
};

export type CatalogDescription = {
  nodeTypes: NodeTypeDescription[];
  triggerTypes: TriggerTypeDescription[];
  providers: ProviderDescription[];
};

/** One choice of an options loader. */
export type OptionItem = { value: string; label: string; description?: string };
export type OptionsPage = { connectionId: string; options: OptionItem[]; nextCursor: string | null };
