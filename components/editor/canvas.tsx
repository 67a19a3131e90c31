"use client";

import {
  Background,
  BaseEdge,
  Controls,
  EdgeLabelRenderer,
  getSmoothStepPath,
  MiniMap,
  ReactFlow,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
  type Edge,
  type EdgeChange,
  type EdgeProps,
  type IsValidConnection,
  type NodeChange,
  type OnConnectEnd,
  type ReactFlowProps,
  type Viewport,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import "./canvas.css";
import { Plus } from "lucide-react";
import { useTheme } from "next-themes";
import { memo, useCallback, useMemo, useState, type Dispatch, type DragEvent, type SetStateAction } from "react";
import { toast } from "sonner";
import { TRIGGER_ID, type WorkflowDefinition } from "@/lib/workflow/definition";
import type { ProblemItem } from "@/components/workflows/problems";
import { useEditorActions } from "./editor-context";
import {
  checkConnection,
  connect,
  inputsOf,
  NO_HANDLES,
  insertOnEdge,
  isNoteNodeId,
  moveNodes,
  NODE_HEIGHT,
  NODE_WIDTH,
  noteIdOf,
  noteNodeId,
  notesOf,
  outputsOf,
  remove,
  triggerPosition,
  type CatalogIndex,
  type Connection,
  type Placement,
} from "./graph";
import { NOTE_SIZE, NoteNodeView, type NoteNode } from "./note-node";
import { STEP_DRAG_TYPE } from "./palette";
import { StepNodeView, type StepNode, type StepStatus } from "./step-node";

type CanvasNode = StepNode | NoteNode;

type CanvasProps = {
  index: CatalogIndex;
  definition: WorkflowDefinition;
  problems: readonly ProblemItem[];
  onChange: (definition: WorkflowDefinition, record: boolean) => void;
  /** A step type dragged from the palette and dropped: at a place, or onto a connection. */
  onDropStep: (type: string, placement: Placement) => void;
  /** The selected node ids, owned by the editor so the keyboard commands can read them. */
  selection: ReadonlySet<string>;
  onSelectionChange: Dispatch<SetStateAction<ReadonlySet<string>>>;
  /** Node statuses of the run drawn on the canvas. */
  run?: ReadonlyMap<string, { status: StepStatus; attempts: number; durationMs: number | null }>;
};

const nodeTypes = { step: StepNodeView, note: NoteNodeView };
const FIT_VIEW = { maxZoom: 1 };
const DELETE_KEYS = ["Backspace", "Delete"];
const MULTI_SELECTION_KEYS = ["Meta", "Control"];
const edgeTypes = { step: memo(StepEdge) };

function toNodes(
  index: CatalogIndex,
  definition: WorkflowDefinition,
  problems: readonly ProblemItem[],
  selection: ReadonlySet<string>,
  run: CanvasProps["run"],
): CanvasNode[] {
  const counts = new Map<string, { errors: number; warnings: number }>();
  for (const problem of problems) {
    if (!problem.nodeId) continue;
    const count = counts.get(problem.nodeId) ?? { errors: 0, warnings: 0 };
    if (problem.severity === "warning") count.warnings++;
    else count.errors++;
    counts.set(problem.nodeId, count);
  }
  const trigger = index.triggerTypes.get(definition.trigger.type);
  const triggerNode: StepNode = {
    id: TRIGGER_ID,
    type: "step",
    position: triggerPosition(definition),
    deletable: false,
    selected: selection.has(TRIGGER_ID),
    ariaLabel: `Trigger: ${trigger?.name ?? definition.trigger.type}`,
    data: {
      title: trigger?.name ?? definition.trigger.type,
      typeLabel: trigger?.description ?? "",
      icon: trigger?.icon ?? { builtin: "manual" },
      inputs: NO_HANDLES,
      outputs: outputsOf(index, definition, TRIGGER_ID),
      errors: 0,
      warnings: 0,
      trigger: true,
      run: run?.get(TRIGGER_ID),
    },
  };
  return [
    triggerNode,
    ...definition.nodes.map((node): StepNode => {
      const nodeType = index.nodeTypes.get(node.type);
      const count = counts.get(node.id) ?? { errors: 0, warnings: 0 };
      return {
        id: node.id,
        type: "step",
        position: node.position,
        selected: selection.has(node.id),
        ariaLabel: `${node.name}, ${nodeType?.name ?? node.type}${count.errors + count.warnings > 0 ? `, ${count.errors} errors, ${count.warnings} warnings` : ""}`,
        data: {
          title: node.name,
          typeLabel: nodeType?.name ?? `Unknown type ${node.type}`,
          icon: nodeType?.icon ?? { builtin: "noop" },
          inputs: inputsOf(index, node),
          outputs: outputsOf(index, definition, node.id),
          errors: count.errors + (nodeType ? 0 : 1),
          warnings: count.warnings,
          trigger: false,
          run: run?.get(node.id),
        },
      };
    }),
    ...notesOf(definition).map((note): NoteNode => ({
      id: noteNodeId(note.id),
      type: "note",
      position: note.position,
      width: note.width ?? NOTE_SIZE.width,
      height: note.height ?? NOTE_SIZE.height,
      selected: selection.has(noteNodeId(note.id)),
      ariaLabel: `Note: ${note.text.slice(0, 80) || "empty"}`,
      data: { text: note.text },
    })),
  ];
}

const sameValues = (a: object, b: object) => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.is(a[key as keyof typeof a], b[key as keyof typeof b]));
};

/**
 * The rebuilt nodes, with each one that did not change replaced by its current object (which
 * keeps the size React Flow measured), so the memoized node views of a 300-step graph do not all
 * render again after one step moved or was renamed; and the current array itself when no node
 * changed (a save that brought the same problems back), so React Flow has nothing to take in.
 */
function keepUnchanged(current: CanvasNode[], next: CanvasNode[]): CanvasNode[] {
  const byId = new Map(current.map((node) => [node.id, node]));
  return sameItems(
    current,
    next.map((node) => {
      const old = byId.get(node.id);
      if (!old) return node;
      const same =
        old.type === node.type &&
        old.selected === node.selected &&
        old.position.x === node.position.x &&
        old.position.y === node.position.y &&
        old.ariaLabel === node.ariaLabel &&
        old.width === node.width &&
        old.height === node.height &&
        sameValues(old.data, node.data);
      return same ? old : { ...node, measured: old.measured };
    }),
  );
}

/** `current` when `next` holds the same objects in the same order, else `next`. */
function sameItems<T>(current: T[], next: T[]): T[] {
  return current.length === next.length && next.every((item, i) => item === current[i]) ? current : next;
}

type StepEdgeData = { dropTarget?: boolean };

function toEdges(definition: WorkflowDefinition, selectedEdges: ReadonlySet<string>, dropEdge: string | null): Edge<StepEdgeData>[] {
  return definition.edges.map((edge) => ({
    id: edge.id,
    source: edge.source,
    target: edge.target,
    sourceHandle: edge.sourceHandle,
    targetHandle: edge.targetHandle,
    type: "step",
    selected: selectedEdges.has(edge.id),
    ...(edge.id === dropEdge ? { data: { dropTarget: true } } : {}),
  }));
}

/** How far (in canvas units) a dragged step's centre may be from a connection's line to be dropped onto it. */
const DROP_DISTANCE = 28;

function distanceToSegment(p: { x: number; y: number }, a: { x: number; y: number }, b: { x: number; y: number }): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = dx * dx + dy * dy;
  const t = length === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

type Box = { position: { x: number; y: number }; measured?: { width?: number; height?: number } };

const centreOf = (box: Box) => ({ x: box.position.x + (box.measured?.width ?? NODE_WIDTH) / 2, y: box.position.y + (box.measured?.height ?? NODE_HEIGHT) / 2 });

/**
 * The connection a step dropped with its centre at `centre` lands on: the nearest one whose line
 * (drawn as a smooth step: down, across, down) passes under that point. Used for a step dragged
 * on the canvas (only an unconnected one can land) and for a new one dragged from the palette.
 */
function edgeAt(definition: WorkflowDefinition, centre: { x: number; y: number }, boxOf: (id: string) => Box | undefined): string | null {
  let best: { id: string; distance: number } | null = null;
  for (const edge of definition.edges) {
    const source = boxOf(edge.source);
    const target = boxOf(edge.target);
    if (!source || !target) continue;
    const a = { x: source.position.x + (source.measured?.width ?? NODE_WIDTH) / 2, y: source.position.y + (source.measured?.height ?? NODE_HEIGHT) };
    const b = { x: target.position.x + (target.measured?.width ?? NODE_WIDTH) / 2, y: target.position.y };
    const middle = (a.y + b.y) / 2;
    const points = [a, { x: a.x, y: middle }, { x: b.x, y: middle }, b];
    const distance = Math.min(...points.slice(1).map((point, i) => distanceToSegment(centre, points[i]!, point)));
    if (distance <= DROP_DISTANCE && (!best || distance < best.distance)) best = { id: edge.id, distance };
  }
  return best?.id ?? null;
}

/** The selection after React Flow's select changes; the same set when there are none. */
function applySelection(current: ReadonlySet<string>, changes: readonly (NodeChange<CanvasNode> | EdgeChange)[]): ReadonlySet<string> {
  const selects = changes.filter((change) => change.type === "select");
  if (selects.length === 0) return current;
  const next = new Set(current);
  for (const change of selects) {
    if (change.selected) next.add(change.id);
    else next.delete(change.id);
  }
  return next;
}

/** An edge with a "+" in its middle that inserts a step there. */
function StepEdge({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, markerEnd, data }: EdgeProps<Edge<StepEdgeData>>) {
  const { openPalette, readOnly } = useEditorActions();
  const [path, labelX, labelY] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: 10 });
  const highlighted = selected || data?.dropTarget;
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        className={data?.dropTarget ? "drop-target" : undefined}
        style={{ strokeWidth: data?.dropTarget ? 4 : selected ? 2.5 : 1.5, stroke: highlighted ? "var(--primary)" : undefined }}
      />
      {!readOnly && (
        <EdgeLabelRenderer>
          <button
            type="button"
            className="nodrag nopan pointer-events-auto absolute grid size-5 place-items-center rounded-full border bg-background text-muted-foreground opacity-70 shadow-xs hover:opacity-100 focus-visible:opacity-100"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            aria-label="Insert a step here"
            onClick={() => openPalette({ kind: "on-edge", edgeId: id })}
          >
            <Plus className="size-3" aria-hidden />
          </button>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

/** The connection under a step being dragged on the canvas, when it alone is dragged and has no connections. */
function edgeUnderDragged(definition: WorkflowDefinition, node: CanvasNode, dragged: readonly CanvasNode[], boxOf: (id: string) => Box | undefined) {
  if (dragged.length !== 1 || node.type !== "step" || node.id === TRIGGER_ID) return null;
  if (definition.edges.some((edge) => edge.source === node.id || edge.target === node.id)) return null;
  return edgeAt(definition, centreOf(node), boxOf);
}

const draggingStep = (event: DragEvent) => event.dataTransfer.types.includes(STEP_DRAG_TYPE);

/**
 * Memoized: the editor renders for its own state (an open form, the palette, the tab) far more
 * often than the graph changes, and each render here hands React Flow its props again.
 */
export const Canvas = memo(CanvasView);

function CanvasView({ index, definition, problems, onChange, onDropStep, selection, onSelectionChange, run }: CanvasProps) {
  const { readOnly } = useEditorActions();
  const { resolvedTheme } = useTheme();
  const flow = useReactFlow();
  const [selectedEdges, setSelectedEdges] = useState<ReadonlySet<string>>(new Set());
  // The connection a step being dragged would be inserted into, drawn highlighted.
  const [dropEdge, setDropEdge] = useState<string | null>(null);
  // React Flow's own copies: it moves them while dragging; the definition changes once, on drop.
  // They are rebuilt while rendering when their sources change (not in an effect, which would
  // draw the stale graph once first), keeping the sizes React Flow measured.
  const [nodes, setNodes] = useState(() => toNodes(index, definition, problems, selection, run));
  const [edges, setEdges] = useState(() => toEdges(definition, selectedEdges, dropEdge));
  const [sources, setSources] = useState({ index, definition, problems, selection, run, selectedEdges, dropEdge });
  if (sources.index !== index || sources.definition !== definition || sources.problems !== problems || sources.selection !== selection || sources.run !== run) {
    setNodes(keepUnchanged(nodes, toNodes(index, definition, problems, selection, run)));
  }
  if (sources.definition !== definition || sources.selectedEdges !== selectedEdges || sources.dropEdge !== dropEdge)
    setEdges((current) => {
      const byId = new Map(current.map((edge) => [edge.id, edge]));
      // As for nodes: an edge that did not change keeps its object, so its memoized view does not render again.
      return sameItems(
        current,
        toEdges(definition, selectedEdges, dropEdge).map((edge) => {
          const old = byId.get(edge.id);
          return old && sameValues({ ...old, data: old.data?.dropTarget }, { ...edge, data: edge.data?.dropTarget }) ? old : edge;
        }),
      );
    });
  if (
    sources.index !== index ||
    sources.definition !== definition ||
    sources.problems !== problems ||
    sources.selection !== selection ||
    sources.run !== run ||
    sources.selectedEdges !== selectedEdges ||
    sources.dropEdge !== dropEdge
  ) {
    setSources({ index, definition, problems, selection, run, selectedEdges, dropEdge });
  }

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      setNodes((current) => applyNodeChanges(changes, current));
      onSelectionChange((current) => applySelection(current, changes));
    },
    [onSelectionChange],
  );
  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setEdges((current) => applyEdgeChanges(changes, current));
    setSelectedEdges((current) => applySelection(current, changes));
  }, []);

  // React Flow copies each handler and option into its store whenever its identity changes, and
  // every store update runs the selectors of all the node and edge views (a 300-step graph: tens of
  // ms). Built once per edit of the graph, not at every render (each drag frame renders this).
  const handlers = useMemo((): Partial<ReactFlowProps<CanvasNode, Edge<StepEdgeData>>> & { overCanvas: (event: DragEvent) => void } => {
    const asConnection = (from: { source: string; sourceHandle?: string | null; target: string; targetHandle?: string | null }): Connection => ({
      source: from.source,
      sourceHandle: from.sourceHandle ?? "out",
      target: from.target,
      targetHandle: from.targetHandle ?? "in",
    });

    // A step type from the palette over the canvas: the connection under the pointer lights up as
    // under a dragged step. Entering an element (a node, an edge) is handled alike: Chromium sends
    // only dragenter on the move that enters one, and the drop must be accepted there too.
    const overCanvas = (event: DragEvent) => {
      if (readOnly || !draggingStep(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      setDropEdge(edgeAt(definition, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }), flow.getNode));
    };

    const isValidConnection: IsValidConnection = (candidate) => checkConnection(index, definition, asConnection(candidate)).ok;

    const onConnectEnd: OnConnectEnd = (_event, state) => {
      // Dropped on a handle that refused it: say why, rather than let the line vanish.
      if (state.isValid !== false || !state.fromHandle || !state.toHandle) return;
      const [from, to] = state.fromHandle.type === "source" ? [state.fromHandle, state.toHandle] : [state.toHandle, state.fromHandle];
      const check = checkConnection(index, definition, asConnection({ source: from.nodeId, sourceHandle: from.id, target: to.nodeId, targetHandle: to.id }));
      if (!check.ok) toast.error("Not connected", { description: check.reason });
    };

    return {
      overCanvas,
      isValidConnection,
      onConnectEnd,
      onConnect: (connection) => onChange(connect(definition, asConnection(connection)), true),
      onDelete: ({ nodes: gone, edges: cut }) => {
        const ids = gone.map((node) => node.id);
        onChange(
          remove(definition, {
            nodes: ids.filter((id) => !isNoteNodeId(id)),
            edges: cut.map((edge) => edge.id),
            notes: ids.filter(isNoteNodeId).map(noteIdOf),
          }),
          true,
        );
        onSelectionChange(new Set());
      },
      onNodeDrag: (_event, node, dragged) => setDropEdge(edgeUnderDragged(definition, node, dragged, flow.getNode)),
      onNodeDragStop: (_event, node, dragged) => {
        setDropEdge(null);
        const positions = new Map(dragged.filter((candidate) => candidate.id !== TRIGGER_ID).map((candidate) => [candidate.id, candidate.position]));
        const trigger = dragged.find((candidate) => candidate.id === TRIGGER_ID);
        let next = moveNodes(definition, positions);
        if (trigger) next = { ...next, ui: { ...next.ui, trigger: trigger.position } };
        const onEdge = edgeUnderDragged(definition, node, dragged, flow.getNode);
        if (onEdge) {
          const inserted = insertOnEdge(index, next, node.id, onEdge);
          if (inserted.ok) next = inserted.definition;
          else toast.error("Not inserted", { description: inserted.reason });
        }
        onChange(next, true);
      },
      onDragLeave: (event) => {
        if (!event.currentTarget.contains(event.relatedTarget as globalThis.Node | null)) setDropEdge(null);
      },
      onDrop: (event) => {
        const type = event.dataTransfer.getData(STEP_DRAG_TYPE);
        if (readOnly || !type) return;
        event.preventDefault();
        setDropEdge(null);
        const centre = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
        const position = { x: centre.x - NODE_WIDTH / 2, y: centre.y - NODE_HEIGHT / 2 };
        const edgeId = edgeAt(definition, centre, flow.getNode);
        onDropStep(type, edgeId ? { kind: "on-edge", edgeId, position } : { kind: "at", position });
      },
      onMoveEnd: (event, viewport: Viewport) => {
        // Only the person's panning and zooming: fitting the view on open is not an edit to save.
        if (!event) return;
        const saved = definition.ui?.viewport;
        if (saved && saved.x === viewport.x && saved.y === viewport.y && saved.zoom === viewport.zoom) return;
        onChange({ ...definition, ui: { ...definition.ui, viewport } }, false);
      },
      onInit: () => {
        if (!definition.ui?.viewport) void flow.fitView(FIT_VIEW);
      },
    };
  }, [definition, index, onChange, onDropStep, onSelectionChange, flow, readOnly]);

  return (
    <ReactFlow<CanvasNode>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      colorMode={resolvedTheme === "dark" ? "dark" : "light"}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      isValidConnection={handlers.isValidConnection}
      onConnect={handlers.onConnect}
      onConnectEnd={handlers.onConnectEnd}
      onDelete={handlers.onDelete}
      onNodeDrag={handlers.onNodeDrag}
      onNodeDragStop={handlers.onNodeDragStop}
      onDragEnter={handlers.overCanvas}
      onDragOver={handlers.overCanvas}
      onDragLeave={handlers.onDragLeave}
      onDrop={handlers.onDrop}
      onMoveEnd={handlers.onMoveEnd}
      defaultViewport={definition.ui?.viewport}
      fitView={!definition.ui?.viewport}
      fitViewOptions={FIT_VIEW}
      minZoom={0.1}
      nodesDraggable={!readOnly}
      nodesConnectable={!readOnly}
      elementsSelectable
      deleteKeyCode={readOnly ? null : DELETE_KEYS}
      multiSelectionKeyCode={MULTI_SELECTION_KEYS}
      selectionKeyCode="Shift"
      onlyRenderVisibleElements
      aria-label="Workflow canvas"
      onInit={handlers.onInit}
    >
      <Background gap={20} />
      <Controls showInteractive={false} />
      <MiniMap pannable zoomable ariaLabel="Minimap" className="!hidden sm:!block" />
    </ReactFlow>
  );
}
