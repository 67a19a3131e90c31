import { describe, expect, it } from "vitest";
import { catalog } from "@/lib/catalog";
import { summarizeDiff } from "./diff";
import { loadDefinition } from "./load-definition";
import { definition, edge, node } from "./test-fixtures";

const published = loadDefinition(
  definition([node("a", "core.noop", { value: 1 }), node("b"), node("c"), node("gone")], ["trigger→a", "a→b", "b→c", "c→gone"]),
  catalog,
);

describe("summarizeDiff", () => {
  it("finds nothing between a definition and itself, or after moving nodes and renaming edges", () => {
    expect(summarizeDiff(published, published)).toEqual({ added: [], removed: [], changed: [], triggerChanged: false });
    const moved = {
      ...published,
      nodes: published.nodes.map((n) => ({ ...n, position: { x: 500, y: 90 } })),
      edges: published.edges.map((e, i) => ({ ...e, id: `renamed${i}` })),
    };
    expect(summarizeDiff(published, moved)).toEqual({ added: [], removed: [], changed: [], triggerChanged: false });
  });

  it("lists added, removed and changed nodes; rewiring changes the node the edge leaves", () => {
    const draft = loadDefinition(
      definition(
        [node("a", "core.noop", { value: 2 }), node("b"), node("c", "core.noop", {}, { name: "Renamed" }), node("new")],
        ["trigger→a", "a→b", "b→new", edge("new→c")],
      ),
      catalog,
    );
    expect(summarizeDiff(published, draft)).toEqual({ added: ["new"], removed: ["gone"], changed: ["a", "b", "c"], triggerChanged: false });
  });

  it("notices a changed trigger or a change in what the trigger starts", () => {
    expect(summarizeDiff(published, { ...published, trigger: { type: "webhook", config: {} } }).triggerChanged).toBe(true);
    const rewired = { ...published, edges: published.edges.map((e) => (e.source === "trigger" ? { ...e, target: "b" } : e)) };
    expect(summarizeDiff(published, rewired).triggerChanged).toBe(true);
  });
});
