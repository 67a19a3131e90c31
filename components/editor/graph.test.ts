import { describe, expect, it } from "vitest";
import type { WorkflowDefinition } from "@/lib/workflow/definition";
import { catalog, describeCatalog } from "@/lib/catalog";
import {
  addNode,
  addNote,
  checkConnection,
  copyFragment,
  enclosingLoops,
  indexCatalog,
  insertOnEdge,
  moveNodes,
  noteNodeId,
  pasteFragment,
  readFragment,
  remove,
  updateNote,
  upstreamOf,
} from "./graph";
import { definitionSchema } from "@/lib/workflow/definition";
import { tidy } from "./layout";

const index = indexCatalog(describeCatalog(catalog));
const node = (id: string, type: string) => ({ id, type, name: id, config: {}, position: { x: 0, y: 0 } });
const edge = (source: string, target: string, sourceHandle = "out") => ({ id: `${source}-${target}`, source, target, sourceHandle, targetHandle: "in" });

const chain: WorkflowDefinition = {
  trigger: { type: "manual", config: {} },
  nodes: [node("check", "control.if"), node("a", "core.noop"), node("b", "core.noop")],
  edges: [edge("trigger", "check"), edge("check", "a", "true"), edge("a", "b")],
};
const link = (source: string, sourceHandle: string, target: string) => ({ source, sourceHandle, target, targetHandle: "in" });

describe("checkConnection", () => {
  it("accepts a declared handle that is free", () => {
    expect(checkConnection(index, chain, link("check", "false", "b"))).toEqual({ ok: true });
  });

  it("refuses a cycle and names its nodes", () => {
    const check = checkConnection(index, chain, link("b", "out", "check"));
    expect(check).toEqual({ ok: false, reason: expect.stringContaining("check → a → b → check") });
  });

  it("refuses a second edge on an output that does not fan out, but allows it where it does", () => {
    expect(checkConnection(index, chain, link("check", "true", "b"))).toMatchObject({ ok: false, reason: expect.stringContaining("already leads") });
    expect(checkConnection(index, chain, link("trigger", "out", "b"))).toEqual({ ok: true });
  });

  it("refuses undeclared handles, the error handle without continueOnError, and edges into the trigger", () => {
    expect(checkConnection(index, chain, link("check", "maybe", "b"))).toMatchObject({ ok: false });
    expect(checkConnection(index, chain, link("a", "error", "check"))).toMatchObject({ ok: false, reason: expect.stringContaining("no output") });
    const tolerant = { ...chain, nodes: chain.nodes.map((n) => (n.id === "b" ? { ...n, continueOnError: true } : n)) };
    expect(checkConnection(index, { ...tolerant, nodes: [...tolerant.nodes, node("c", "core.noop")] }, link("b", "error", "c"))).toEqual({ ok: true });
    expect(checkConnection(index, chain, link("a", "out", "trigger"))).toMatchObject({ ok: false });
  });
});

describe("adding nodes", () => {
  it("adds after a handle and connects it", () => {
    const { definition, id } = addNode(index, chain, "control.approval", { kind: "after", source: "check", sourceHandle: "false" });
    expect(id).toBe("approval");
    expect(definition.edges).toContainEqual(expect.objectContaining({ source: "check", sourceHandle: "false", target: "approval" }));
  });

  it("inserts on an edge, keeping both ends connected through the new node", () => {
    const { definition, id } = addNode(index, chain, "control.wait", { kind: "on-edge", edgeId: "a-b" });
    expect(definition.edges.find((e) => e.id === "a-b")).toBeUndefined();
    expect(definition.edges).toContainEqual(expect.objectContaining({ source: "a", target: id }));
    expect(definition.edges).toContainEqual(expect.objectContaining({ source: id, sourceHandle: "out", target: "b" }));
  });

  it("inserts on an edge where the step was dropped, or says why it could not and keeps it unconnected", () => {
    const dropped = addNode(index, chain, "control.wait", { kind: "on-edge", edgeId: "a-b", position: { x: 300, y: 40 } });
    expect(dropped.refused).toBeUndefined();
    expect(dropped.definition.nodes.find((n) => n.id === dropped.id)!.position).toEqual({ x: 300, y: 40 });
    expect(dropped.definition.edges).toContainEqual(expect.objectContaining({ source: "a", target: dropped.id }));
    const gone = addNode(index, chain, "control.wait", { kind: "on-edge", edgeId: "x-y", position: { x: 300, y: 40 } });
    expect(gone.refused).toMatch(/gone/);
    expect(gone.definition.nodes.map((n) => n.id)).toContain(gone.id);
    expect(gone.definition.edges).toEqual(chain.edges);
  });

  it("gives a second node of a type a fresh id and name", () => {
    const once = addNode(index, chain, "core.noop", { kind: "at", position: { x: 0, y: 0 } });
    const twice = addNode(index, once.definition, "core.noop", { kind: "at", position: { x: 0, y: 0 } });
    expect(new Set([once.id, twice.id, "a", "b"]).size).toBe(4);
    expect(twice.definition.nodes.at(-1)!.name).toBe(`${index.nodeTypes.get("core.noop")!.name} 2`);
  });
});

describe("copy and paste", () => {
  it("pastes a copied fragment under fresh ids with the edges among the copied nodes", () => {
    const text = JSON.stringify(copyFragment(chain, ["a", "b"]));
    const fragment = readFragment(text)!;
    const { definition, ids } = pasteFragment(chain, fragment, { x: 40, y: 40 });
    expect(ids).toEqual(["a_2", "b_2"]);
    expect(definition.edges).toContainEqual(expect.objectContaining({ source: "a_2", target: "b_2" }));
    expect(definition.nodes.find((n) => n.id === "a_2")!.position).toEqual({ x: 40, y: 40 });
    const again = pasteFragment(definition, readFragment(JSON.stringify(copyFragment(definition, ["a_2"])))!, { x: 40, y: 40 });
    expect(again.ids).toEqual(["a_3"]);
  });

  it("reads a whole definition from the docs, a single node, and refuses plain text", () => {
    expect(readFragment(JSON.stringify(chain))!.nodes).toHaveLength(3);
    expect(readFragment(JSON.stringify(node("x", "core.noop")))!.nodes[0]!.id).toBe("x");
    expect(readFragment("hello")).toBeNull();
    expect(readFragment('{"text": "not a node"}')).toBeNull();
  });
});

describe("scope", () => {
  it("knows what runs upstream and which loop a node is in", () => {
    const looped: WorkflowDefinition = {
      ...chain,
      nodes: [...chain.nodes, node("each", "control.loop"), node("inside", "core.noop"), node("after", "core.noop")],
      edges: [...chain.edges, edge("b", "each"), edge("each", "inside", "body"), edge("each", "after", "done")],
    };
    expect(upstreamOf(looped, "b").map((n) => n.id)).toEqual(["check", "a"]);
    expect(enclosingLoops(looped, "inside").map((n) => n.id)).toEqual(["each"]);
    expect(enclosingLoops(looped, "after")).toEqual([]);
  });

  it("removing a node removes its edges", () => {
    const next = remove(chain, { nodes: ["a"], edges: [] });
    expect(next.edges.map((e) => e.id)).toEqual(["trigger-check"]);
  });
});

describe("tidy", () => {
  it("puts every node below the ones that lead to it", () => {
    const laid = tidy(chain);
    const y = (id: string) => laid.nodes.find((n) => n.id === id)!.position.y;
    expect(laid.ui!.trigger!.y).toBeLessThan(y("check"));
    expect(y("check")).toBeLessThan(y("a"));
    expect(y("a")).toBeLessThan(y("b"));
  });
});

describe("dropping a step onto a connection", () => {
  const loose = { ...chain, nodes: [...chain.nodes, node("w", "control.wait")] };

  it("puts an unconnected step between the connection's ends", () => {
    const inserted = insertOnEdge(index, loose, "w", "a-b");
    expect(inserted.ok).toBe(true);
    if (!inserted.ok) return;
    expect(inserted.definition.edges.find((e) => e.id === "a-b")).toBeUndefined();
    expect(inserted.definition.edges).toContainEqual(expect.objectContaining({ source: "a", sourceHandle: "out", target: "w", targetHandle: "in" }));
    expect(inserted.definition.edges).toContainEqual(expect.objectContaining({ source: "w", sourceHandle: "out", target: "b" }));
  });

  it("moves the steps below down when the inserted one would cover the next", () => {
    const stacked = {
      ...loose,
      nodes: loose.nodes.map((n) => (n.id === "b" ? { ...n, position: { x: 0, y: 200 } } : n.id === "w" ? { ...n, position: { x: 10, y: 190 } } : n)),
    };
    const inserted = insertOnEdge(index, stacked, "w", "a-b");
    expect(inserted.ok && inserted.definition.nodes.find((n) => n.id === "b")!.position).toEqual({ x: 0, y: 190 + 72 + 64 });
    expect(inserted.ok && inserted.definition.nodes.find((n) => n.id === "a")!.position).toEqual({ x: 0, y: 0 });
  });

  it("refuses a step that is already connected, and says why", () => {
    expect(insertOnEdge(index, chain, "a", "check-a")).toMatchObject({ ok: false, reason: expect.stringContaining("without connections") });
  });

  it("checks the handles: an IF's true branch keeps its label when an IF is dropped on it", () => {
    const withIf = { ...chain, nodes: [...chain.nodes, node("gate", "control.if")] };
    const inserted = insertOnEdge(index, withIf, "gate", "check-a");
    expect(inserted).toMatchObject({ ok: true });
    if (inserted.ok) expect(inserted.definition.edges).toContainEqual(expect.objectContaining({ source: "check", sourceHandle: "true", target: "gate" }));
  });
});

describe("sticky notes", () => {
  it("are kept in ui.notes, edited, moved and removed, and the result is still a definition", () => {
    const { definition, id } = addNote(chain, { x: 10, y: 20 }, "Ask finance first");
    const edited = updateNote(definition, id, { text: "Ask finance" });
    const moved = moveNodes(edited, new Map([[noteNodeId(id), { x: 99, y: 1 }]]));
    expect(moved.ui?.notes).toEqual([{ id, text: "Ask finance", position: { x: 99, y: 1 } }]);
    expect(definitionSchema.safeParse(moved).success).toBe(true);
    expect(remove(moved, { nodes: [], edges: [], notes: [id] }).ui?.notes).toBeUndefined();
  });

  it("copy and paste with the steps, under fresh ids", () => {
    const { definition, id } = addNote(chain, { x: 0, y: 0 }, "Why this branch");
    const fragment = readFragment(JSON.stringify(copyFragment(definition, ["a", noteNodeId(id)])))!;
    expect(fragment.notes).toHaveLength(1);
    const pasted = pasteFragment(definition, fragment, { x: 40, y: 40 });
    expect(pasted.definition.ui?.notes).toHaveLength(2);
    expect(pasted.ids).toContain(noteNodeId("note_2"));
    expect(pasted.definition.ui?.notes?.[1]).toMatchObject({ text: "Why this branch", position: { x: 40, y: 40 } });
  });

  it("paste on their own", () => {
    const fragment = readFragment(JSON.stringify({ notes: [{ id: "n", text: "hi", position: { x: 0, y: 0 } }] }))!;
    expect(fragment).toMatchObject({ nodes: [], notes: [{ text: "hi" }] });
  });
});
