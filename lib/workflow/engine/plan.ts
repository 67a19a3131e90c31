import { TRIGGER_ID, type WorkflowDefinition, type WorkflowEdge, type WorkflowNode } from "../definition";
import type { NodeCatalog, NodeType } from "../node-types";

// The execution plan of a definition, computed once per run entry: nodes grouped into scopes
// (the root, and the body of each node whose type has one, like LOOP's), each scope in
// topological order, with incoming edges and each node's type.
// Validation has already guaranteed: no cycles, body edges stay inside their body, known types.

/** loopId/bodyHandle: the node whose body this is, and the handle its body edges leave through. */
export type Scope = { loopId: string | null; bodyHandle: string | null; order: WorkflowNode[] };

export type Plan = {
  nodes: Map<string, WorkflowNode>;
  types: Map<string, NodeType>;
  incoming: Map<string, WorkflowEdge[]>;
  /** The scope of each body, under its node's id, and the root scope under the key "". */
  scopes: Map<string, Scope>;
};

function bodyOf(loopId: string, handle: string, outgoing: Map<string, WorkflowEdge[]>): Set<string> {
  const body = new Set<string>();
  const stack = (outgoing.get(loopId) ?? []).filter((e) => e.sourceHandle === handle).map((e) => e.target);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (body.has(id)) continue;
    body.add(id);
    for (const edge of outgoing.get(id) ?? []) stack.push(edge.target);
  }
  return body;
}

export function planDefinition(definition: WorkflowDefinition, catalog: NodeCatalog): Plan {
  const nodes = new Map(definition.nodes.map((node) => [node.id, node]));
  const types = new Map<string, NodeType>();
  for (const node of definition.nodes) {
    const type = catalog.get(node.type);
    if (!type) throw new Error(`node ${node.id} has the unknown type "${node.type}"`);
    types.set(node.id, type);
  }
  const incoming = new Map<string, WorkflowEdge[]>();
  const outgoing = new Map<string, WorkflowEdge[]>();
  for (const edge of definition.edges) {
    incoming.set(edge.target, [...(incoming.get(edge.target) ?? []), edge]);
    outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge]);
  }
  // A node belongs to the innermost loop whose body holds it (the smallest body).
  const bodies = definition.nodes.flatMap((node) => {
    const handle = types.get(node.id)!.behaviour?.body;
    return handle ? [{ loopId: node.id, handle, body: bodyOf(node.id, handle, outgoing) }] : [];
  });
  bodies.sort((a, b) => a.body.size - b.body.size);
  const owner = new Map<string, string>();
  for (const { loopId, body } of bodies) for (const id of body) if (!owner.has(id)) owner.set(id, loopId);

  // Topological order over the whole graph (Kahn), then split by scope: order within a scope holds.
  const indegree = new Map(definition.nodes.map((n) => [n.id, (incoming.get(n.id) ?? []).filter((e) => e.source !== TRIGGER_ID).length]));
  const queue = definition.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    order.push(id);
    for (const edge of outgoing.get(id) ?? []) {
      const left = indegree.get(edge.target)! - 1;
      indegree.set(edge.target, left);
      if (left === 0) queue.push(edge.target);
    }
  }
  const scopes = new Map<string, Scope>([["", { loopId: null, bodyHandle: null, order: [] }]]);
  for (const { loopId, handle } of bodies) scopes.set(loopId, { loopId, bodyHandle: handle, order: [] });
  for (const id of order) scopes.get(owner.get(id) ?? "")!.order.push(nodes.get(id)!);
  return { nodes, types, incoming, scopes };
}
