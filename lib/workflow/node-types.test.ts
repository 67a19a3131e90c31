import { describe, expect, it } from "vitest";
import { z } from "zod";
import { catalog, catalogLists } from "@/lib/catalog";
import { checkNodeConfig, createNodeCatalog, outputHandlesOf, type NodeType } from "./node-types";
import type { ValidationMode } from "./problems";

const typeNamed = (type: string): NodeType => {
  const nodeType = catalog.get(type);
  if (!nodeType) throw new Error(`${type} is not in the catalog`);
  return nodeType;
};
const listNodeTypes = () => catalog.list();
const withTypes = (...nodeTypes: Parameters<typeof createNodeCatalog>[0]["nodeTypes"]) =>
  createNodeCatalog({ nodeTypes, triggerTypes: catalogLists.triggerTypes });

describe("node type catalog", () => {
  it("lists the built-in types with their handles", () => {
    const handles = Object.fromEntries(listNodeTypes().map((t) => [t.type, { inputs: t.inputs, outputs: t.outputs.map((o) => o.id) }]));
    expect(handles).toMatchObject({
      "core.noop": { inputs: ["in"], outputs: ["out"] },
      "control.if": { inputs: ["in"], outputs: ["true", "false"] },
      "control.loop": { inputs: ["in"], outputs: ["body", "done"] },
      "control.wait": { inputs: ["in"], outputs: ["out"] },
      "control.approval": { inputs: ["in"], outputs: ["approved", "rejected", "timeout"] },
    });
    expect(catalog.get("nope.nothing")).toBeUndefined();
  });

  it("takes extra types (test actions) through the same contract", () => {
    const extended = withTypes(...catalogLists.nodeTypes, {
      type: "test.echo",
      label: "Echo",
      category: "test",
      version: 1,
      config: z.object({ text: z.string() }),
      outputs: [{ id: "out" }],
      output: z.object({ text: z.string() }),
    });
    expect(extended.get("test.echo")?.inputs).toEqual(["in"]);
    expect(extended.list().map((t) => t.type)).toContain("test.echo");
    expect(catalog.get("test.echo")).toBeUndefined();
  });

  it("refuses a type listed twice, a reserved or duplicate handle, and a bad version", () => {
    const spec = { type: "test.bad", label: "Bad", category: "test", version: 1, config: z.object({}), outputs: [{ id: "out" }], output: z.object({}) };
    expect(() => withTypes(...catalogLists.nodeTypes, { ...spec, type: "core.noop" })).toThrow(/listed twice/);
    expect(() => withTypes({ ...spec, outputs: [{ id: "error" }] })).toThrow(/reserved "error"/);
    expect(() => withTypes({ ...spec, outputs: [{ id: "a" }, { id: "a" }] })).toThrow(/duplicate output handle/);
    expect(() => withTypes({ ...spec, version: 0 })).toThrow(/version/);
  });

  it("adds an error handle to a node that continues on error", () => {
    const ifType = typeNamed("control.if");
    expect(outputHandlesOf(ifType, {}).map((h) => h.id)).toEqual(["true", "false"]);
    expect(outputHandlesOf(ifType, { continueOnError: true }).map((h) => h.id)).toEqual(["true", "false", "error"]);
  });

  it("lets only core.noop fan out among the built-in types", () => {
    const fanOut = catalogLists.nodeTypes.map((t) => typeNamed(t.type)).flatMap((t) => t.outputs.filter((o) => o.multiple).map((o) => `${t.type}:${o.id}`));
    expect(fanOut).toEqual(["core.noop:out"]);
  });
});

describe("checkNodeConfig", () => {
  const check = (type: string, config: Record<string, unknown>, mode: ValidationMode) =>
    checkNodeConfig(typeNamed(type), config, mode).map(({ severity, code, path }) => `${severity} ${code} ${path.join(".")}`);

  it.each<[string, Record<string, unknown>, string[], string[]]>([
    ["core.noop", {}, [], []],
    ["core.noop", { value: { any: ["thing"] } }, [], []],
    ["control.if", {}, ["warning config_missing_field condition"], ["error config_missing_field condition"]],
    [
      "control.if",
      { condition: { op: "eq", left: "{{trigger.payload.a}}" } },
      ["warning config_missing_field condition.right"],
      ["error config_missing_field condition.right"],
    ],
    ["control.if", { condition: { op: "bogus", left: 1, right: 2 } }, ["error config_invalid condition.op"], ["error config_invalid condition.op"]],
    ["control.if", { condition: { op: "exists", left: "{{trigger.payload.a}}" }, __v: 2 }, [], []],
    ["control.loop", {}, ["warning config_missing_field items"], ["error config_missing_field items"]],
    ["control.loop", { items: "{{step.fetch.output.rows}}" }, [], []],
    ["control.loop", { items: "rows" }, ["error config_invalid items"], ["error config_invalid items"]],
    [
      "control.loop",
      { items: "{{trigger.payload.items}}", maxIterations: 10_001 },
      ["error config_invalid maxIterations"],
      ["error config_invalid maxIterations"],
    ],
    ["control.wait", {}, ["warning config_missing_field durationMs"], ["error config_missing_field durationMs"]],
    ["control.wait", { durationMs: 60_000 }, [], []],
    ["control.wait", { durationMs: "60000" }, ["error config_invalid durationMs"], ["error config_invalid durationMs"]],
    ["control.wait", { until: "2025-03-01T09:00:00+01:00" }, [], []],
    ["control.wait", { until: "{{trigger.payload.dueAt}}" }, [], []],
    ["control.wait", { until: "next tuesday" }, ["error config_invalid until"], ["error config_invalid until"]],
    ["control.wait", { durationMs: 1, until: "2025-03-01T09:00:00Z" }, ["error config_invalid until"], ["error config_invalid until"]],
    [
      "control.approval",
      {},
      ["warning config_missing_field message", "warning config_missing_field timeoutMs"],
      ["error config_missing_field message", "error config_missing_field timeoutMs"],
    ],
    ["control.approval", { message: "", timeoutMs: 86_400_000 }, ["warning config_missing_field message"], ["error config_missing_field message"]],
    ["control.approval", { message: "Pay {{trigger.payload.amount}}?", approvers: ["ops@example.com"], timeoutMs: 86_400_000 }, [], []],
    ["control.approval", { message: "ok", timeoutMs: 5 }, ["error config_invalid timeoutMs"], ["error config_invalid timeoutMs"]],
  ])("%s %j → draft %j, strict %j", (type, config, draft, strict) => {
    expect(check(type, config, "draft")).toEqual(draft);
    expect(check(type, config, "strict")).toEqual(strict);
  });
});

describe("output schemas", () => {
  it.each([
    ["core.noop", { value: 1 }],
    ["control.if", { result: true }],
    ["control.loop", { iterations: 3 }],
    ["control.wait", { resumedAt: "2025-01-01T00:00:00Z" }],
    ["control.approval", { decision: "approved", decidedBy: "user_1", decidedAt: "2025-01-01T00:00:00Z" }],
  ])("%s describes an output like %j", (type, output) => {
    expect(typeNamed(type).output.safeParse(output).success).toBe(true);
  });
});
