import { z } from "zod";
import { providerIconPath } from "@/lib/integrations/icons";
import type { NodeType } from "@/lib/workflow/node-types";
import type { TriggerTypeSpec } from "@/lib/workflow/trigger-types";
import type { Catalog } from "./catalog";
import {
  builtinIcons,
  fieldWidgets,
  type BuiltinIcon,
  type CatalogDescription,
  type FieldHint,
  type FieldWidget,
  type HandleDescription,
  type IconDescription,
  type JsonSchema,
  type NodeTypeDescription,
  type ProviderDescription,
  type TriggerTypeDescription,
} from "./description";

// The catalog as the browser sees it: JSON Schemas printed from the zod schemas (z.toJSONSchema),
// field hints read from each field's `.meta({ ui })`, labelled handles, icons. Pure data, so the
// editor and API clients read the same thing the server validates with.

/** What a field may declare in `.meta({ ui: … })`. */
const uiMetaSchema = z.object({
  label: z.string().optional(),
  help: z.string().optional(),
  placeholder: z.string().optional(),
  widget: z.enum(fieldWidgets).optional(),
  loader: z.string().optional(),
  choices: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
  advanced: z.boolean().optional(),
});

type Def = { type: string; innerType?: z.ZodType; options?: unknown[]; entries?: Record<string, string> };
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The field itself under optional / default / nullable wrappers, and whether a value is required. */
function unwrap(schema: z.ZodType): { inner: z.ZodType; required: boolean; metas: Record<string, unknown>[] } {
  let current = schema;
  let required = true;
  const metas: Record<string, unknown>[] = [];
  for (;;) {
    const meta = current.meta();
    if (meta) metas.push(meta);
    const def = defOf(current);
    if ((def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "prefault") && def.innerType) {
      if (def.type !== "nullable") required = false;
      current = def.innerType;
      continue;
    }
    return { inner: current, required, metas };
  }
}

function inferredWidget(inner: z.ZodType): FieldWidget {
  switch (defOf(inner).type) {
    case "number":
    case "int":
      return "number";
    case "boolean":
      return "boolean";
    case "enum":
      return "select";
    case "string":
      return "text";
    default:
      return "json";
  }
}

const humanize = (key: string) => {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** One hint per top-level field of an object config schema. */
export function fieldHints(config: z.ZodType): FieldHint[] {
  const shape = (config as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) return [];
  return Object.entries(shape).map(([key, field]) => {
    const { inner, required, metas } = unwrap(field);
    const ui = uiMetaSchema.parse(Object.assign({}, ...metas.map((meta) => (meta.ui ?? {}) as object).reverse()));
    const description = metas.map((meta) => meta.description).find((d): d is string => typeof d === "string") ?? field.description ?? inner.description;
    const widget = ui.widget ?? inferredWidget(inner);
    const enumChoices =
      defOf(inner).type === "enum" ? Object.values(defOf(inner).entries ?? {}).map((value) => ({ value, label: humanize(value) })) : undefined;
    const choices = ui.choices ?? enumChoices;
    return {
      key,
      label: ui.label ?? humanize(key),
      widget,
      required,
      ...((ui.help ?? description) ? { help: ui.help ?? description } : {}),
      ...(ui.placeholder ? { placeholder: ui.placeholder } : {}),
      ...(ui.loader ? { loader: ui.loader } : {}),
      ...(widget === "select" && choices ? { choices } : {}),
      ...(ui.advanced ? { advanced: true } : {}),
    };
  });
}

/** The JSON Schema of what a client sends (defaults may be left out), without our `ui` metadata. */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output" = "input"): JsonSchema {
  const printed = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
  return stripUi(printed) as JsonSchema;
}

function stripUi(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripUi);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "ui")
      .map(([key, inner]) => [key, stripUi(inner)]),
  );
}

const handleLabel = (id: string) => (id === "out" ? "Next" : id === "in" ? "In" : humanize(id));

function handles(list: readonly { id: string; label?: string; multiple?: boolean }[]): HandleDescription[] {
  return list.map((handle) => ({ id: handle.id, label: handle.label ?? handleLabel(handle.id), ...(handle.multiple ? { multiple: true } : {}) }));
}

const controlIcons: Record<string, BuiltinIcon> = {
  "control.if": "if",
  "control.loop": "loop",
  "control.wait": "wait",
  "control.approval": "approval",
  "core.noop": "noop",
};
const triggerIcons: Record<string, BuiltinIcon> = {
  manual: "manual",
  webhook: "webhook",
  schedule: "schedule",
  "email.inbound": "email",
  "document.completed": "document",
};

function iconOf(nodeType: NodeType, isProvider: boolean): IconDescription {
  if (isProvider) return { src: providerIconPath(nodeType.category) };
  const builtin = controlIcons[nodeType.type];
  return { builtin: builtin && builtinIcons.includes(builtin) ? builtin : "noop" };
}

export function describeNodeType(nodeType: NodeType, providerIds: ReadonlySet<string>): NodeTypeDescription {
  const isProvider = providerIds.has(nodeType.category);
  return {
    type: nodeType.type,
    name: nodeType.label,
    description: nodeType.description ?? "",
    category: nodeType.category,
    ...(isProvider ? { provider: nodeType.category } : {}),
    icon: iconOf(nodeType, isProvider),
    version: nodeType.version,
    configSchema: jsonSchemaOf(nodeType.config),
    fields: fieldHints(nodeType.config),
    inputs: handles(nodeType.inputs.map((id) => ({ id }))),
    outputs: handles(nodeType.outputs),
    outputSchema: jsonSchemaOf(nodeType.output, "output"),
    example: nodeType.example ?? {},
    effectful: nodeType.executor?.effectful ?? false,
  };
}

export function describeTriggerType(trigger: TriggerTypeSpec): TriggerTypeDescription {
  return {
    type: trigger.type,
    name: trigger.label,
    description: trigger.description,
    icon: { builtin: triggerIcons[trigger.type] ?? "webhook" },
    configSchema: jsonSchemaOf(trigger.config),
    fields: fieldHints(trigger.config),
    payloadSchema: jsonSchemaOf(trigger.payload, "output"),
    example: trigger.example as Record<string, unknown>,
    samplePayload: trigger.samplePayload,
    outputs: [{ id: "out", label: "Start", multiple: true }],
  };
}

export function describeCatalog(catalog: Catalog): CatalogDescription {
  const providerIds = new Set(catalog.providers.map((provider) => provider.id));
  const providers: ProviderDescription[] = catalog.providers.map((provider) => ({
    id: provider.id,
    name: provider.name,
    description: provider.description,
    icon: { src: providerIconPath(provider.id) },
    categories: [...provider.categories],
    auth: {
      oauth: Boolean(provider.auth.oauth2),
      token: provider.auth.token ? { label: provider.auth.token.label, placeholder: provider.auth.token.placeholder, help: provider.auth.token.help } : null,
      builtin: Boolean(provider.auth.builtin),
    },
    actions: provider.actions.map((action) => `${provider.id}.${action.id}`),
    optionLoaders: (provider.options ?? []).map((loader) => ({ id: `${provider.id}.${loader.id}`, label: loader.label, searchable: loader.searchable })),
  }));
  return {
    nodeTypes: catalog.list().map((nodeType) => describeNodeType(nodeType, providerIds)),
    triggerTypes: catalog.triggers().map(describeTriggerType),
    providers,
  };
}
