import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { catalog, describeCatalog } from "@/lib/catalog";
import { catalogDescriptionSchema, type JsonSchema } from "@/lib/catalog/description";
import { jsonSchemaOf } from "@/lib/catalog/describe";
import { closeDatabase, setDatabase } from "@/lib/db";
import { openTestDatabase } from "../support/database";
import { callRoute } from "../support/routes";
import { seedCompany } from "../support/seed";

// The catalog as the editor and API clients read it. Each config's JSON Schema must say what its
// zod schema says: both accept the example, and both reject the same broken variants of it
// (a required field missing; a field of the wrong JSON type; a number out of range; a string too
// long; an enum value that is not a choice; the empty config).

const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });

type Variant = { label: string; value: unknown };

function wrongTypeValue(schema: JsonSchema): unknown {
  const types = new Set<string>();
  const collect = (s: JsonSchema) => {
    if (typeof s.type === "string") types.add(s.type);
    for (const key of ["anyOf", "oneOf"] as const) for (const inner of (s[key] as JsonSchema[] | undefined) ?? []) collect(inner);
  };
  collect(schema);
  if (types.size === 0) return undefined; // anything goes (z.unknown)
  if (types.has("integer")) types.add("number");
  for (const [type, value] of [
    ["string", 12345],
    ["number", "not a number"],
    ["boolean", "yes"],
    ["array", { not: "a list" }],
    ["object", ["not", "an", "object"]],
    ["null", 0],
  ] as const) {
    if (!types.has(type)) continue;
    if (!types.has(typeof value === "object" ? (Array.isArray(value) ? "array" : "object") : typeof value)) return value;
  }
  return Symbol.for("none");
}

function variants(configSchema: JsonSchema, example: Record<string, unknown>): Variant[] {
  const properties = (configSchema.properties ?? {}) as Record<string, JsonSchema>;
  const required = (configSchema.required ?? []) as string[];
  const list: Variant[] = [
    { label: "the example", value: example },
    { label: "an empty config", value: {} },
    { label: "a list", value: [] },
  ];
  for (const key of required) {
    const { [key]: _dropped, ...rest } = example;
    list.push({ label: `without ${key}`, value: rest });
  }
  for (const [key, property] of Object.entries(properties)) {
    const wrong = wrongTypeValue(property);
    if (wrong !== undefined && wrong !== Symbol.for("none")) list.push({ label: `${key} of the wrong type`, value: { ...example, [key]: wrong } });
    if (typeof property.minimum === "number") list.push({ label: `${key} below its minimum`, value: { ...example, [key]: property.minimum - 1 } });
    if (typeof property.maximum === "number") list.push({ label: `${key} above its maximum`, value: { ...example, [key]: property.maximum + 1 } });
    if (typeof property.maxLength === "number" && property.maxLength < 100_000)
      list.push({ label: `${key} too long`, value: { ...example, [key]: "x".repeat(property.maxLength + 1) } });
    if (Array.isArray(property.enum)) list.push({ label: `${key} not one of the choices`, value: { ...example, [key]: "not-a-choice" } });
  }
  return list;
}

const configs: { name: string; schema: z.ZodType; example: Record<string, unknown> }[] = [
  ...catalog.list().map((t) => ({ name: t.type, schema: t.config, example: t.example ?? {} })),
  ...catalog.triggers().map((t) => ({ name: `trigger ${t.type}`, schema: t.config, example: t.example as Record<string, unknown> })),
];

describe("config JSON Schemas agree with the zod schemas", () => {
  it.each(configs)("$name", ({ schema, example }) => {
    const json = jsonSchemaOf(schema);
    const validate = ajv.compile(json);
    const disagreements = variants(json, example).flatMap(({ label, value }) => {
      const byZod = schema.safeParse(value).success;
      const byJson = validate(value);
      return byZod === byJson ? [] : [`${label}: zod ${byZod ? "accepts" : "rejects"}, JSON Schema ${byJson ? "accepts" : "rejects"}`];
    });
    expect(disagreements).toEqual([]);
    expect(schema.safeParse(example).success).toBe(true);
  });

  it("tries more than the example on each", () => {
    const counts = configs.map(({ schema, example }) => variants(jsonSchemaOf(schema), example).length);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(3);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(80);
  });
});

describe("GET /api/v1/catalog and /api/v1/options", () => {
  let key: string;
  beforeAll(async () => {
    const database = await openTestDatabase();
    setDatabase(database);
    ({ key } = await seedCompany(database.prisma, "Catalog"));
    await database.prisma.credential.deleteMany({});
  });
  afterAll(() => closeDatabase());

  it("returns every node and trigger type with JSON Schema, field hints, handles, output schema and example", async () => {
    expect((await callRoute("GET", "/api/v1/catalog")).status).toBe(401);
    const response = await callRoute("GET", "/api/v1/catalog", { key });
    expect(response.status).toBe(200);
    const description = catalogDescriptionSchema.parse(await response.json());
    expect(description).toEqual(JSON.parse(JSON.stringify(describeCatalog(catalog))));
    expect(description.nodeTypes.map((t) => t.type).sort()).toEqual(
      catalog
        .list()
        .map((t) => t.type)
        .sort(),
    );
    expect(description.triggerTypes.map((t) => t.type).sort()).toEqual([
      "document.completed",
      "document.declined",
      "document.expired",
      "email.inbound",
      "manual",
      "schedule",
      "webhook",
    ]);
    const send = description.nodeTypes.find((t) => t.type === "slack.send_message")!;
    expect(send).toMatchObject({ provider: "slack", icon: { src: "/icons/slack.svg" }, effectful: true, outputs: [{ id: "out", label: "Next" }] });
    expect(send.fields.find((f) => f.key === "channel")).toMatchObject({ widget: "options", loader: "slack.channels", required: true, label: "Channel" });
    expect(send.outputSchema).toMatchObject({ properties: { ts: { type: "string" } } });
    const approval = description.nodeTypes.find((t) => t.type === "control.approval")!;
    expect(approval.outputs.map((h) => `${h.id}:${h.label}`)).toEqual(["approved:Approved", "rejected:Rejected", "timeout:Timed out"]);
    expect(approval.fields.find((f) => f.key === "timeoutMs")?.widget).toBe("duration");
    const notify = description.nodeTypes.find((t) => t.type === "slack.notify_status")!;
    expect(notify.fields.find((f) => f.key === "status")?.choices?.map((c) => c.value)).toEqual(["info", "started", "succeeded", "failed", "waiting"]);
    expect(description.providers.find((p) => p.id === "slack")?.optionLoaders).toEqual([{ id: "slack.channels", label: "Slack channels", searchable: true }]);
    // no ui metadata leaks into the JSON Schema (it is in `fields`)
    expect(JSON.stringify(description.nodeTypes.map((t) => t.configSchema))).not.toContain('"ui"');
    const openapi = (await (await callRoute("GET", "/api/v1/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(["/catalog", "/options"]));
  });

  it("an options loader says what to do when nothing is connected, and refuses loaders that do not exist", async () => {
    const none = await callRoute("GET", "/api/v1/options?loader=slack.channels", { key });
    expect(none.status).toBe(409);
    expect(await none.json()).toMatchObject({
      error: { message: "No Slack account is connected for this step", remediation: "Connect Slack in Settings > Integrations" },
    });
    const unknown = await callRoute("GET", "/api/v1/options?loader=slack.nothing", { key });
    expect(unknown.status).toBe(404);
    expect((await callRoute("GET", "/api/v1/options?loader=not%20a%20loader", { key })).status).toBe(422);
  });
});
