import type { CatalogDescription, HandleDescription, NodeTypeDescription, TriggerTypeDescription } from "@/lib/catalog/description";
import {
  NODE_ID_PATTERN,
  stickyNoteSchema,
  TRIGGER_ID,
  type StickyNote,
  type WorkflowDefinition,
  type WorkflowEdge,
  type WorkflowNode,
} from "@/lib/workflow/definition";

// The editor's operations on a definition, as pure functions: the canvas, the palette, the
// keyboard and the tests all change a workflow through these, and undo keeps the old value.

export const ERROR_HANDLE: HandleDescription = { id: "error", label: "On error" };

/** The catalog looked up by type, built once per catalog. */
export type CatalogIndex = {
  catalog: CatalogDescription;
  nodeTypes: Map<string, NodeTypeDescription>;
  triggerTypes: Map<string, TriggerTypeDescription>;
};

export function indexCatalog(catalog: CatalogDescription): CatalogIndex {
  return {
    catalog,
    nodeTypes: new Map(catalog.nodeTypes.map((type) => [type.type, type])),
    triggerTypes: new Map(catalog.triggerTypes.map((type) => [type.type, type])),
  };
}

const triggerOutputs: HandleDescription[] = [{ id: "out", label: "Start", multiple: true }];

/** The output handles a node (or the trigger) has: its type's, plus "error" with continueOnError. */
export function outputsOf(index: CatalogIndex, definition: WorkflowDefinition, id: string): HandleDescription[] {
  if (id === TRIGGER_ID) return index.triggerTypes.get(definition.trigger.type)?.outputs ?? triggerOutputs;
  const node = definition.nodes.find((candidate) => candidate.id === id);
  if (!node) return NO_HANDLES;
  const declared = index.nodeTypes.get(node.type)?.outputs ?? NO_HANDLES;
  if (!node.continueOnError) return declared;
  // The same array each time for a type: the canvas compares a node's handles by identity.
  let outputs = withErrorHandle.get(declared);
  if (!outputs) withErrorHandle.set(declared, (outputs = [...declared, ERROR_HANDLE]));
  return outputs;
}

const withErrorHandle = new WeakMap<HandleDescription[], HandleDescription[]>();

// The canvas compares a node's handles by identity, so the fallbacks are one array each too.
export const NO_HANDLES: HandleDescription[] = [];
const defaultInputs: HandleDescription[] = [{ id: "in", label: "In" }];

export function inputsOf(index: CatalogIndex, node: WorkflowNode): HandleDescription[] {
  return index.nodeTypes.get(node.type)?.inputs ?? defaultInputs;
}

export type Connection = { source: string; sourceHandle: string; target: string; targetHandle: string };
export type ConnectionCheck = { ok: true } | { ok: false; reason: string };

/** Every node the edges lead to from `from`, `from` included. */
function reachableFrom(edges: readonly WorkflowEdge[], from: string): Set<string> {
  const next = new Map<string, string[]>();
  for (const edge of edges) next.set(edge.source, [...(next.get(edge.source) ?? []), edge.target]);
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length > 0) {
    for (const target of next.get(stack.pop()!) ?? []) {
      if (!seen.has(target)) {
        seen.add(target);
        stack.push(target);
      }
    }
  }
  return seen;
}

/** The path back from `to` to `from` along the edges, for the message that refuses a cycle. */
function pathBetween(edges: readonly WorkflowEdge[], from: string, to: string): string[] {
  const previous = new Map<string, string>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (current === to) break;
    for (const edge of edges) {
      if (edge.source === current && !seen.has(edge.target)) {
        seen.add(edge.target);
        previous.set(edge.target, current);
        queue.push(edge.target);
      }
    }
  }
  const path = [to];
  while (path[0] !== from && previous.has(path[0]!)) path.unshift(previous.get(path[0]!)!);
  return path;
}

/** Whether an edge may be drawn: the rules of docs/workflow-format.md, checked while dragging. */
export function checkConnection(index: CatalogIndex, definition: WorkflowDefinition, connection: Connection): ConnectionCheck {
  const { source, sourceHandle, target, targetHandle } = connection;
  if (target === TRIGGER_ID) return { ok: false, reason: "Nothing leads into the trigger: it starts the workflow" };
  if (source === target) return { ok: false, reason: "A step cannot lead to itself" };
  const output = outputsOf(index, definition, source).find((handle) => handle.id === sourceHandle);
  if (!output) return { ok: false, reason: `“${source}” has no output “${sourceHandle}”` };
  const targetNode = definition.nodes.find((node) => node.id === target);
  if (!targetNode) return { ok: false, reason: `There is no step “${target}”` };
  if (!inputsOf(index, targetNode).some((handle) => handle.id === targetHandle)) return { ok: false, reason: `“${target}” has no input “${targetHandle}”` };
  const sameHandle = definition.edges.filter((edge) => edge.source === source && edge.sourceHandle === sourceHandle);
  if (sameHandle.some((edge) => edge.target === target && edge.targetHandle === targetHandle))
    return { ok: false, reason: "These steps are already connected" };
  if (!output.multiple && sameHandle.length > 0) {
    return { ok: false, reason: `“${output.label}” already leads to a step. Connect it to a Pass through step to fan out` };
  }
  if (reachableFrom(definition.edges, target).has(source)) {
    const loop = [...pathBetween(definition.edges, target, source), target];
    return { ok: false, reason: `That would make a cycle (${loop.join(" → ")}). To repeat steps, use a Loop` };
  }
  return { ok: true };
}

function freshId(taken: ReadonlySet<string>, base: string): string {
  const stem = base.replace(/[^A-Za-z0-9_-]/g, "_").replace(/^[^A-Za-z]+/, "") || "step";
  const trimmed = stem.slice(0, 56);
  if (!taken.has(trimmed) && trimmed !== TRIGGER_ID) return trimmed;
  // A copy of "send_2" is "send_3", not "send_2_2".
  const root = trimmed.replace(/_\d+$/, "");
  for (let n = 2; ; n++) if (!taken.has(`${root}_${n}`)) return `${root}_${n}`;
}

const nodeIds = (definition: WorkflowDefinition) => new Set(definition.nodes.map((node) => node.id));
const edgeIds = (definition: WorkflowDefinition) => new Set(definition.edges.map((edge) => edge.id));

export function connect(definition: WorkflowDefinition, connection: Connection): WorkflowDefinition {
  const id = freshId(edgeIds(definition), `e_${connection.source}_${connection.target}`);
  return { ...definition, edges: [...definition.edges, { id, ...connection }] };
}

/**
 * Where a node is added from: after an output handle, on an edge (where it was dropped, else
 * halfway along), or just at a place.
 */
export type Placement =
  | { kind: "at"; position: { x: number; y: number } }
  | { kind: "after"; source: string; sourceHandle: string }
  | { kind: "on-edge"; edgeId: string; position?: { x: number; y: number } };

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 72;
const GAP_Y = 64;

function positionOf(definition: WorkflowDefinition, id: string): { x: number; y: number } {
  if (id === TRIGGER_ID) return triggerPosition(definition);
  return definition.nodes.find((node) => node.id === id)?.position ?? { x: 0, y: 0 };
}

/** The trigger has no node position: the editor keeps it in ui.trigger, and until moved it sits above the first nodes. */
export function triggerPosition(definition: WorkflowDefinition): { x: number; y: number } {
  if (definition.ui?.trigger) return definition.ui.trigger;
  const starts = definition.edges.filter((edge) => edge.source === TRIGGER_ID).map((edge) => positionOf({ ...definition, edges: [] }, edge.target));
  if (starts.length === 0) return { x: 0, y: -(NODE_HEIGHT + GAP_Y) };
  return { x: Math.min(...starts.map((p) => p.x)), y: Math.min(...starts.map((p) => p.y)) - (NODE_HEIGHT + GAP_Y) };
}

/**
 * Adds a node of a catalog type; returns the definition and the new node's id. A node that cannot
 * go on the edge it was meant for stays unconnected, with `refused` saying why.
 */
export function addNode(
  index: CatalogIndex,
  definition: WorkflowDefinition,
  type: string,
  placement: Placement,
): { definition: WorkflowDefinition; id: string; refused?: string } {
  const nodeType = index.nodeTypes.get(type);
  if (!nodeType) throw new Error(`Unknown node type ${type}`);
  const id = freshId(nodeIds(definition), type.split(".").pop() ?? "step");
  const name = uniqueName(definition, nodeType.name);
  let position = placement.kind === "at" ? placement.position : { x: 0, y: 0 };
  if (placement.kind === "after") {
    const from = positionOf(definition, placement.source);
    const handles = outputsOf(index, definition, placement.source);
    const slot = Math.max(
      0,
      handles.findIndex((handle) => handle.id === placement.sourceHandle),
    );
    position = { x: from.x + (slot - (handles.length - 1) / 2) * (NODE_WIDTH + 40), y: from.y + NODE_HEIGHT + GAP_Y };
  }
  const edge = placement.kind === "on-edge" ? definition.edges.find((candidate) => candidate.id === placement.edgeId) : undefined;
  if (placement.kind === "on-edge" && placement.position) position = placement.position;
  else if (edge) {
    const a = positionOf(definition, edge.source);
    const b = positionOf(definition, edge.target);
    position = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  }
  const node: WorkflowNode = { id, type, name, config: {}, position };
  let next: WorkflowDefinition = { ...definition, nodes: [...definition.nodes, node] };
  if (placement.kind === "after") {
    const check = checkConnection(index, next, { source: placement.source, sourceHandle: placement.sourceHandle, target: id, targetHandle: "in" });
    if (check.ok) next = connect(next, { source: placement.source, sourceHandle: placement.sourceHandle, target: id, targetHandle: "in" });
  }
  if (placement.kind === "on-edge") {
    const inserted = insertOnEdge(index, next, id, placement.edgeId);
    if (!inserted.ok) return { definition: next, id, refused: inserted.reason };
    next = inserted.definition;
  }
  return { definition: next, id };
}

/**
 * Puts an unconnected node on an edge: source → node → target, the node continuing on its first
 * output. Each of the two new connections is checked as a drawn one would be; a refusal says why.
 */
export function insertOnEdge(
  index: CatalogIndex,
  definition: WorkflowDefinition,
  nodeId: string,
  edgeId: string,
): { ok: true; definition: WorkflowDefinition } | { ok: false; reason: string } {
  const edge = definition.edges.find((candidate) => candidate.id === edgeId);
  const node = definition.nodes.find((candidate) => candidate.id === nodeId);
  if (!edge || !node) return { ok: false, reason: "That connection or step is gone" };
  if (definition.edges.some((candidate) => candidate.source === nodeId || candidate.target === nodeId))
    return { ok: false, reason: "Only a step without connections can be dropped onto one" };
  const input = inputsOf(index, node)[0]?.id ?? "in";
  const output = outputsOf(index, definition, nodeId)[0]?.id;
  if (!output) return { ok: false, reason: `“${node.name}” has no output to continue the connection` };
  let next: WorkflowDefinition = { ...definition, edges: definition.edges.filter((candidate) => candidate.id !== edge.id) };
  for (const connection of [
    { source: edge.source, sourceHandle: edge.sourceHandle, target: nodeId, targetHandle: input },
    { source: nodeId, sourceHandle: output, target: edge.target, targetHandle: edge.targetHandle },
  ]) {
    const check = checkConnection(index, next, connection);
    if (!check.ok) return check;
    next = connect(next, connection);
  }
  return { ok: true, definition: makeRoom(next, nodeId, edge.target) };
}

/**
 * After a step is put between two others, the steps from `target` on move down by a row when the
 * new one would cover `target`, so the insert does not leave two steps on top of each other.
 */
function makeRoom(definition: WorkflowDefinition, inserted: string, target: string): WorkflowDefinition {
  const placed = positionOf(definition, inserted);
  const next = positionOf(definition, target);
  const overlaps = Math.abs(placed.x - next.x) < NODE_WIDTH && placed.y + NODE_HEIGHT + GAP_Y / 2 > next.y && placed.y < next.y + NODE_HEIGHT;
  if (target === TRIGGER_ID || !overlaps) return definition;
  const shift = placed.y + NODE_HEIGHT + GAP_Y - next.y;
  const below = reachableFrom(definition.edges, target);
  return {
    ...definition,
    nodes: definition.nodes.map((node) => (below.has(node.id) ? { ...node, position: { x: node.position.x, y: node.position.y + shift } } : node)),
  };
}

function uniqueName(definition: WorkflowDefinition, base: string): string {
  const names = new Set(definition.nodes.map((node) => node.name));
  if (!names.has(base)) return base;
  for (let n = 2; ; n++) if (!names.has(`${base} ${n}`)) return `${base} ${n}`;
}

/** Removes nodes (with their edges), edges and notes. The trigger stays: a workflow always has one. */
export function remove(
  definition: WorkflowDefinition,
  ids: { nodes: readonly string[]; edges: readonly string[]; notes?: readonly string[] },
): WorkflowDefinition {
  const nodes = new Set(ids.nodes);
  const edges = new Set(ids.edges);
  const notes = new Set(ids.notes);
  const next = {
    ...definition,
    nodes: definition.nodes.filter((node) => !nodes.has(node.id)),
    edges: definition.edges.filter((edge) => !edges.has(edge.id) && !nodes.has(edge.source) && !nodes.has(edge.target)),
  };
  return notes.size === 0
    ? next
    : withNotes(
        next,
        notesOf(definition).filter((note) => !notes.has(note.id)),
      );
}

// ───────────── sticky notes (ui.notes) ─────────────

/** On the canvas a note's id is prefixed, so it can never collide with a step's (":" is not allowed in those). */
export const NOTE_PREFIX = "note:";
export const noteNodeId = (id: string) => `${NOTE_PREFIX}${id}`;
export const isNoteNodeId = (id: string) => id.startsWith(NOTE_PREFIX);
export const noteIdOf = (nodeId: string) => nodeId.slice(NOTE_PREFIX.length);

export const notesOf = (definition: WorkflowDefinition): readonly StickyNote[] => definition.ui?.notes ?? [];

function withNotes(definition: WorkflowDefinition, notes: readonly StickyNote[]): WorkflowDefinition {
  const { notes: _old, ...rest } = definition.ui ?? {};
  return { ...definition, ui: notes.length === 0 ? rest : { ...rest, notes: [...notes] } };
}

function freshNoteId(definition: WorkflowDefinition): string {
  const taken = new Set(notesOf(definition).map((note) => note.id));
  for (let n = taken.size + 1; ; n++) if (!taken.has(`note_${n}`)) return `note_${n}`;
}

export function addNote(definition: WorkflowDefinition, position: { x: number; y: number }, text = ""): { definition: WorkflowDefinition; id: string } {
  const id = freshNoteId(definition);
  return { definition: withNotes(definition, [...notesOf(definition), { id, text, position }]), id };
}

export function updateNote(definition: WorkflowDefinition, id: string, change: Partial<Omit<StickyNote, "id">>): WorkflowDefinition {
  return withNotes(
    definition,
    notesOf(definition).map((note) => (note.id === id ? { ...note, ...change } : note)),
  );
}

export function updateNode(definition: WorkflowDefinition, id: string, change: (node: WorkflowNode) => WorkflowNode): WorkflowDefinition {
  return { ...definition, nodes: definition.nodes.map((node) => (node.id === id ? change(node) : node)) };
}

/** Moves steps and notes (by their canvas ids: a note's is prefixed). */
export function moveNodes(definition: WorkflowDefinition, positions: ReadonlyMap<string, { x: number; y: number }>): WorkflowDefinition {
  const moved = { ...definition, nodes: definition.nodes.map((node) => (positions.has(node.id) ? { ...node, position: positions.get(node.id)! } : node)) };
  const notes = notesOf(definition);
  if (!notes.some((note) => positions.has(noteNodeId(note.id)))) return moved;
  return withNotes(
    moved,
    notes.map((note) => {
      const position = positions.get(noteNodeId(note.id));
      return position ? { ...note, position } : note;
    }),
  );
}

/** What the clipboard holds: a piece of a definition, so it pastes into any workflow and from the docs. */
export type Fragment = { nodes: WorkflowNode[]; edges: WorkflowEdge[]; notes?: StickyNote[] };

/** `ids` are canvas ids: steps' ids and notes' prefixed ones. */
export function copyFragment(definition: WorkflowDefinition, ids: readonly string[]): Fragment {
  const chosen = new Set(ids);
  const notes = notesOf(definition).filter((note) => chosen.has(noteNodeId(note.id)));
  return {
    nodes: definition.nodes.filter((node) => chosen.has(node.id)),
    edges: definition.edges.filter((edge) => chosen.has(edge.source) && chosen.has(edge.target)),
    ...(notes.length > 0 ? { notes } : {}),
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Reads pasted text as nodes: a fragment, a whole definition, a single node or a list of nodes.
 * Anything else is null, so pasting ordinary text into the canvas does nothing.
 */
export function readFragment(text: string): Fragment | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const asNode = (candidate: unknown): WorkflowNode | null =>
    isRecord(candidate) && typeof candidate.id === "string" && typeof candidate.type === "string"
      ? {
          id: candidate.id,
          type: candidate.type,
          name: typeof candidate.name === "string" && candidate.name ? candidate.name : candidate.id,
          config: isRecord(candidate.config) ? candidate.config : {},
          position:
            isRecord(candidate.position) && typeof candidate.position.x === "number" && typeof candidate.position.y === "number"
              ? { x: candidate.position.x, y: candidate.position.y }
              : { x: 0, y: 0 },
          ...(isRecord(candidate.retry) ? { retry: candidate.retry as WorkflowNode["retry"] } : {}),
          ...(typeof candidate.connectionId === "string" ? { connectionId: candidate.connectionId } : {}),
          ...(typeof candidate.continueOnError === "boolean" ? { continueOnError: candidate.continueOnError } : {}),
        }
      : null;
  const asEdge = (candidate: unknown): WorkflowEdge | null =>
    isRecord(candidate) && typeof candidate.source === "string" && typeof candidate.target === "string"
      ? {
          id: typeof candidate.id === "string" ? candidate.id : `${candidate.source}-${candidate.target}`,
          source: candidate.source,
          target: candidate.target,
          sourceHandle: typeof candidate.sourceHandle === "string" ? candidate.sourceHandle : "out",
          targetHandle: typeof candidate.targetHandle === "string" ? candidate.targetHandle : "in",
        }
      : null;
  const asNote = (candidate: unknown): StickyNote | null => {
    const parsed = stickyNoteSchema.safeParse(candidate);
    return parsed.success ? parsed.data : null;
  };
  // A whole definition keeps its notes in ui; a fragment copied here, at the top.
  const rawNotes = isRecord(value)
    ? Array.isArray(value.notes)
      ? value.notes
      : isRecord(value.ui) && Array.isArray(value.ui.notes)
        ? value.ui.notes
        : []
    : [];
  const notes = rawNotes.map(asNote).filter((note): note is StickyNote => note !== null);
  const rawNodes = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.nodes) ? value.nodes : [value];
  const nodes = rawNodes.length === 1 && notes.length > 0 && rawNodes[0] === value ? [] : rawNodes.map(asNode);
  if ((nodes.length === 0 && notes.length === 0) || nodes.some((node) => node === null)) return null;
  const rawEdges = isRecord(value) && Array.isArray(value.edges) ? value.edges : [];
  return {
    nodes: nodes as WorkflowNode[],
    edges: rawEdges.map(asEdge).filter((edge): edge is WorkflowEdge => edge !== null),
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/**
 * Adds a fragment's nodes under fresh ids (so pasting twice, or into the workflow it came from,
 * never collides), shifted by `offset`, with the edges among them. Returns the new nodes' ids.
 */
export function pasteFragment(
  definition: WorkflowDefinition,
  fragment: Fragment,
  offset: { x: number; y: number },
): { definition: WorkflowDefinition; ids: string[] } {
  const taken = nodeIds(definition);
  const renamed = new Map<string, string>();
  const nodes = fragment.nodes.map((node) => {
    const id = freshId(taken, NODE_ID_PATTERN.test(node.id) ? node.id : (node.type.split(".").pop() ?? "step"));
    taken.add(id);
    renamed.set(node.id, id);
    return { ...node, id, position: { x: node.position.x + offset.x, y: node.position.y + offset.y } };
  });
  let next: WorkflowDefinition = { ...definition, nodes: [...definition.nodes, ...nodes] };
  for (const edge of fragment.edges) {
    const source = renamed.get(edge.source);
    const target = renamed.get(edge.target);
    if (source && target) next = connect(next, { source, sourceHandle: edge.sourceHandle, target, targetHandle: edge.targetHandle });
  }
  const noteIds: string[] = [];
  for (const note of fragment.notes ?? []) {
    const added = addNote(next, { x: note.position.x + offset.x, y: note.position.y + offset.y }, note.text);
    next = note.width || note.height ? updateNote(added.definition, added.id, { width: note.width, height: note.height }) : added.definition;
    noteIds.push(noteNodeId(added.id));
  }
  return { definition: next, ids: [...nodes.map((node) => node.id), ...noteIds] };
}

/** The nodes that run before `id`: everything with a path to it (the trigger excluded). */
export function upstreamOf(definition: WorkflowDefinition, id: string): WorkflowNode[] {
  const reversed = definition.edges.map((edge) => ({ ...edge, source: edge.target, target: edge.source }));
  const before = reachableFrom(reversed, id);
  before.delete(id);
  return definition.nodes.filter((node) => before.has(node.id));
}

/** The loops whose body holds `id`, innermost first: what {{loop.…}} means there. */
export function enclosingLoops(definition: WorkflowDefinition, id: string): WorkflowNode[] {
  const loops = definition.nodes.filter((node) => node.type === "control.loop" && node.id !== id);
  const inBody = loops.filter((loop) => {
    const body = definition.edges.filter((edge) => edge.source === loop.id && edge.sourceHandle === "body");
    const withoutLoop = definition.edges.filter((edge) => edge.source !== loop.id);
    return body.some((edge) => reachableFrom(withoutLoop, edge.target).has(id));
  });
  // The innermost loop is the one the others' bodies contain.
  return inBody.sort((a, b) => upstreamOf(definition, b.id).length - upstreamOf(definition, a.id).length);
}
