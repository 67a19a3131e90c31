import { describe, expect, it } from "vitest";
import { definitionSchema, emptyDefinition, nodeSchema } from "./definition";
import { definition, node } from "./test-fixtures";

describe("definitionSchema", () => {
  it("fills in defaults: config, handles, retry backoff and jitter", () => {
    const parsed = definitionSchema.parse({
      trigger: { type: "webhook" },
      nodes: [{ id: "a", type: "core.noop", name: "A", position: { x: 1, y: 2 }, retry: { maxAttempts: 3 } }],
      edges: [{ id: "e1", source: "trigger", target: "a" }],
    });
    expect(parsed.trigger.config).toEqual({});
    expect(parsed.nodes[0]?.config).toEqual({});
    expect(parsed.nodes[0]?.retry).toEqual({ maxAttempts: 3, backoff: { initialMs: 1000, factor: 2, maxMs: 60_000 }, jitter: true });
    expect(parsed.edges[0]).toMatchObject({ sourceHandle: "out", targetHandle: "in" });
  });

  it("accepts the empty definition", () => {
    expect(definitionSchema.parse(emptyDefinition())).toEqual(emptyDefinition());
  });

  it.each([
    ["a", true],
    ["send_email-2", true],
    ["A".repeat(64), true],
    ["A".repeat(65), false],
    ["1abc", false],
    ["", false],
    ["has space", false],
    ["trigger", false],
  ])("node id %j valid: %s", (id, valid) => {
    expect(nodeSchema.safeParse(node(id)).success).toBe(valid);
  });

  it("caps names at 120 characters and nodes at 2000", () => {
    expect(nodeSchema.safeParse(node("a", "core.noop", {}, { name: "x".repeat(121) })).success).toBe(false);
    const nodes = Array.from({ length: 2001 }, (_, i) => node(`n${i}`));
    expect(definitionSchema.safeParse(definition(nodes, [])).success).toBe(false);
  });

  it("refuses a retry whose cap is below its first delay", () => {
    const retry = { maxAttempts: 2, backoff: { initialMs: 5000, factor: 2, maxMs: 1000 }, jitter: false };
    expect(nodeSchema.safeParse(node("a", "core.noop", {}, { retry })).success).toBe(false);
  });

  it("refuses prototype keys anywhere in a config, even where zod would drop them", () => {
    const raw: unknown = JSON.parse('{"id":"a","type":"core.noop","name":"a","position":{"x":0,"y":0},"config":{"x":{"__proto__":{"polluted":true}}}}');
    const result = nodeSchema.safeParse(raw);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["config", "x", "__proto__"]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("refuses configs nested more than 32 levels deep", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 40; i++) deep = { next: deep };
    expect(nodeSchema.safeParse(node("a", "core.noop", { deep })).success).toBe(false);
    let ok: unknown = "leaf";
    for (let i = 0; i < 31; i++) ok = { next: ok };
    expect(nodeSchema.safeParse(node("a", "core.noop", { ok })).success).toBe(true);
  });

  it("keeps the stored node type version of a config", () => {
    expect(nodeSchema.parse(node("a", "control.if", { __v: 1, op: "eq" })).config).toEqual({ __v: 1, op: "eq" });
    expect(nodeSchema.safeParse(node("a", "control.if", { __v: 0 })).success).toBe(false);
  });
});
