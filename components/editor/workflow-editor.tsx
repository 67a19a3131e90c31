"use client";

import * as Tabs from "@radix-ui/react-tabs";
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { CircleCheck, CloudUpload, LoaderCircle, Maximize, Plus, Redo2, StickyNote, TriangleAlert, Undo2, Workflow } from "lucide-react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import type { CatalogDescription } from "@/lib/catalog/description";
import type { ConnectionSummary } from "@/lib/credentials/store";
import type { RunDetail } from "@/lib/workflow/runs";
import { StatusBadge } from "@/components/runs/run-badges";
import { useLiveRun } from "@/components/runs/use-live-run";
import { definitionSchema, TRIGGER_ID, type WorkflowDefinition } from "@/lib/workflow/definition";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { JsonField } from "@/components/workflows/json-field";
import { NodesTable } from "@/components/workflows/nodes-table";
import { parseJsonText } from "@/components/workflows/json-text";
import { definitionProblems } from "@/components/workflows/action-failure";
import { DraftProblems, type ProblemItem } from "@/components/workflows/problems";
import { useProvideDraftBridge } from "@/components/workflows/unsaved-draft";
import { loadOptionsAction } from "@/app/(app)/settings/integrations/actions";
import { testStepAction } from "@/app/(app)/workflows/actions";
import { cn } from "@/lib/utils/cn";
import { Canvas } from "./canvas";
import { ConfigModal } from "./config-modal";
import { EditorActionsContext, type EditorActions } from "./editor-context";
import { loadJsonCode, type LoadOptions } from "./fields";
import {
  addNode,
  addNote,
  copyFragment,
  indexCatalog,
  isNoteNodeId,
  NODE_HEIGHT,
  NODE_WIDTH,
  noteNodeId,
  pasteFragment,
  readFragment,
  updateNode,
  updateNote,
  type Placement,
} from "./graph";
import { historyReducer } from "./history";
import { tidy } from "./layout";
import { Palette } from "./palette";
import { runOverlay, type RunOverlay } from "./run-overlay";
import { RunStepDialog } from "./run-step-dialog";
import type { TestStep } from "./test-step-panel";
import { useAutosave, type SaveStatus } from "./use-autosave";
import { previewScope, variablesAt } from "./variables";

export type WorkflowEditorProps = {
  workflowId: string;
  catalog: CatalogDescription;
  draft: WorkflowDefinition;
  revision: string;
  problems: ProblemItem[];
  canEdit: boolean;
  connections: ConnectionSummary[];
  /** A run to draw on the canvas (the page's ?run=), kept live while it is active. */
  run?: RunDetail | null;
  /** The workflow's latest run: its data feed the variable picker's samples and the expression preview. */
  lastRun?: RunDetail | null;
};

/**
 * Tab adds a step only from the canvas (a step or the pane focused, or nothing, after a click on
 * a step) and with a step selected: focus moving through the steps (which Tab does while none is
 * selected), the toolbar, fields and dialogs keeps Tab for itself.
 */
const onCanvas = (target: EventTarget | null) =>
  target === document.body || (target instanceof HTMLElement && target.closest(".react-flow") !== null && !target.closest(".react-flow__panel"));

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) || target.closest("[role=dialog]") !== null);

/** The workflow editor: the canvas and its JSON, kept as one definition with undo, saved as you go. */
export function WorkflowEditor({ run, ...props }: WorkflowEditorProps) {
  return <ReactFlowProvider>{run ? <WithLiveRun run={run} {...props} /> : <Editor {...props} />}</ReactFlowProvider>;
}

function WithLiveRun({ run: initial, ...props }: EditorProps & { run: RunDetail }) {
  const run = useLiveRun(initial);
  const overlay = useMemo(() => runOverlay(run), [run]);
  return <Editor {...props} run={run} overlay={overlay} />;
}

type EditorProps = Omit<WorkflowEditorProps, "run">;
type Modal = { nodeId: string; field?: string } | null;

function Editor({
  workflowId,
  catalog,
  draft,
  revision,
  problems: loadedProblems,
  canEdit,
  connections,
  lastRun,
  run,
  overlay,
}: EditorProps & { run?: RunDetail; overlay?: RunOverlay }) {
  const router = useRouter();
  const flow = useReactFlow();
  // The catalog is the build's, the same for the page's whole life, but every refresh of the page
  // (each autosave revalidates it) brings a new copy: indexed once, so the nodes built from it keep
  // their objects and the 300 node views of a large graph do not all render again after a save.
  const [index] = useState(() => indexCatalog(catalog));
  const [history, dispatch] = useReducer(historyReducer<WorkflowDefinition>, { past: [], present: draft, future: [] });
  const definition = history.present;
  const [selection, setSelection] = useState<ReadonlySet<string>>(new Set());
  const [palette, setPalette] = useState<Placement | null>(null);
  const [modal, setModal] = useState<Modal>(null);
  const [runStep, setRunStep] = useState<string | null>(null);
  const [tab, setTab] = useState("canvas");
  const autosave = useAutosave({ workflowId, definition, revision, problems: loadedProblems, enabled: canEdit });
  const change = useCallback((next: WorkflowDefinition, record = true) => dispatch({ type: "change", value: next, record }), []);
  // What the picker and the preview read: the run on the canvas, else the latest run, else the sample payload.
  const lastOverlay = useMemo(() => (lastRun ? runOverlay(lastRun) : undefined), [lastRun]);
  const samples = overlay?.samples ?? lastOverlay?.samples;
  const sampleSource = overlay
    ? "the run on the canvas"
    : lastRun
      ? `the last run (${new Date(lastRun.createdAt).toLocaleString()})`
      : "the trigger's sample payload";

  // CodeMirror, for the JSON fields of step forms, while nothing else is happening (fields.tsx says why).
  useEffect(() => {
    const preload = () => void loadJsonCode().catch(() => undefined);
    if (typeof requestIdleCallback !== "function") return void setTimeout(preload, 1000);
    const handle = requestIdleCallback(preload);
    return () => cancelIdleCallback(handle);
  }, []);

  // A draft saved elsewhere (a restored version, the other tab after "Reload theirs") arrives as
  // new props: take it when this tab has nothing unsaved.
  useEffect(() => {
    if (!autosave.shouldAdopt(revision)) return;
    autosave.adopt(draft, revision, loadedProblems);
    dispatch({ type: "reset", value: draft });
  }, [revision, draft, loadedProblems, autosave]);

  const optionsFor = useCallback(
    (connectionId: string | undefined): LoadOptions =>
      (input) =>
        loadOptionsAction({ ...input, connectionId, workflowId }),
    [workflowId],
  );
  const openPalette = useCallback((placement: Placement) => setPalette(placement), []);
  const testStep = useCallback<TestStep>((node, mode) => testStepAction({ id: workflowId, node, mode }), [workflowId]);
  // With a run on the canvas, a step opens what it did in that run; its form is one click further.
  const openConfig = useCallback(
    (nodeId: string) => (overlay?.steps.has(nodeId) && nodeId !== TRIGGER_ID ? setRunStep(nodeId) : setModal({ nodeId })),
    [overlay],
  );
  const changeNote = useCallback<EditorActions["changeNote"]>(
    (id, patch) => dispatch({ type: "update", change: (present) => updateNote(present, id, patch) }),
    [],
  );
  const actions: EditorActions = useMemo(() => ({ openConfig, openPalette, changeNote, readOnly: !canEdit }), [openConfig, openPalette, changeNote, canEdit]);

  const focusProblem = useCallback(
    (problem: ProblemItem) => {
      const nodeId = problem.nodeId ?? (problem.path[0] === "nodes" && typeof problem.path[1] === "number" ? definition.nodes[problem.path[1]]?.id : undefined);
      if (!nodeId) return;
      setTab("canvas");
      setSelection(new Set([nodeId]));
      const field = problem.path[2] === "config" && typeof problem.path[3] === "string" ? problem.path[3] : undefined;
      const node = flow.getNode(nodeId);
      if (node)
        void flow.setCenter(node.position.x + NODE_WIDTH / 2, node.position.y + NODE_HEIGHT / 2, { zoom: Math.max(flow.getZoom(), 0.8), duration: 200 });
      setModal({ nodeId, field });
    },
    [definition.nodes, flow],
  );
  useProvideDraftBridge({ unsaved: autosave.status !== "saved", flush: autosave.flush, focusProblem });

  // Links inside the app leave the page without a beforeunload: save first, then go.
  useEffect(() => {
    if (autosave.status === "saved") return;
    const guard = (event: MouseEvent) => {
      const link = (event.target as HTMLElement | null)?.closest("a[href]");
      if (!(link instanceof HTMLAnchorElement) || link.target === "_blank" || link.origin !== window.location.origin || event.defaultPrevented) return;
      event.preventDefault();
      event.stopPropagation();
      void autosave.flush().then((saved) => {
        if (saved || window.confirm("Your last changes are not saved. Leave anyway?")) router.push(link.pathname + link.search + link.hash);
      });
    };
    document.addEventListener("click", guard, true);
    return () => document.removeEventListener("click", guard, true);
  }, [autosave, router]);

  // A new step, picked in the palette or dropped from it, is selected and its form opens.
  // Stable between edits: the canvas is memoized and takes it as a prop.
  const add = useCallback(
    (type: string, placement: Placement) => {
      const added = addNode(index, definition, type, placement);
      if (added.refused) toast.error("Not inserted", { description: added.refused });
      change(added.definition);
      setSelection(new Set([added.id]));
      setModal({ nodeId: added.id });
      return added.definition.nodes.find((node) => node.id === added.id)!.position;
    },
    [index, definition, change],
  );
  const pick = (type: string) => {
    if (!palette) return;
    setPalette(null);
    const position = add(type, palette);
    // Bring the new step into view: it may land below the visible part of the canvas (a dropped one is where the pointer was).
    requestAnimationFrame(() => void flow.setCenter(position.x + NODE_WIDTH / 2, position.y + NODE_HEIGHT / 2, { zoom: flow.getZoom(), duration: 200 }));
  };

  const paste = useCallback(
    (text: string) => {
      const fragment = readFragment(text);
      if (!fragment || !canEdit) return false;
      const pasted = pasteFragment(definition, fragment, { x: 40, y: 40 });
      change(pasted.definition);
      setSelection(new Set(pasted.ids));
      // Pasted from elsewhere, the nodes may sit outside the view: bring them in.
      const first = pasted.definition.nodes.find((node) => node.id === pasted.ids[0])!.position;
      const pane = document.querySelector(".react-flow")?.getBoundingClientRect();
      if (pane) {
        const topLeft = flow.screenToFlowPosition({ x: pane.left, y: pane.top });
        const bottomRight = flow.screenToFlowPosition({ x: pane.right, y: pane.bottom });
        const inView = first.x >= topLeft.x && first.y >= topLeft.y && first.x + NODE_WIDTH <= bottomRight.x && first.y + NODE_HEIGHT <= bottomRight.y;
        if (!inView)
          requestAnimationFrame(() => void flow.setCenter(first.x + NODE_WIDTH / 2, first.y + NODE_HEIGHT / 2, { zoom: flow.getZoom(), duration: 200 }));
      }
      return true;
    },
    [definition, canEdit, change, flow],
  );
  // Everything copy, paste and duplicate take (steps and notes); the palette and Enter only look at steps.
  const selectedNodes = useMemo(() => [...selection].filter((id) => id !== TRIGGER_ID), [selection]);
  const selectedSteps = useMemo(() => selectedNodes.filter((id) => !isNoteNodeId(id)), [selectedNodes]);

  const centerOfView = useCallback((): { x: number; y: number } => {
    const pane = document.querySelector(".react-flow")?.getBoundingClientRect();
    return flow.screenToFlowPosition({ x: (pane?.left ?? 0) + (pane?.width ?? 600) / 2 - 120, y: (pane?.top ?? 0) + (pane?.height ?? 400) / 2 - 36 });
  }, [flow]);
  const newNote = () => {
    // Beside the middle of the view, not over the step that is usually there.
    const center = centerOfView();
    const added = addNote(definition, { x: center.x + NODE_WIDTH + 40, y: center.y });
    change(added.definition);
    setSelection(new Set([noteNodeId(added.id)]));
    // Focus it, so Enter starts writing and Delete removes it.
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`.react-flow__node[data-id="${noteNodeId(added.id)}"]`)?.focus());
  };

  // Keyboard commands of the canvas; fields, dialogs and the JSON tab keep their own keys.
  useEffect(() => {
    if (tab !== "canvas") return;
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event.target) || modal || palette) return;
      const mod = event.metaKey || event.ctrlKey;
      const key = event.key.toLowerCase();
      if (mod && key === "z") {
        event.preventDefault();
        dispatch({ type: event.shiftKey ? "redo" : "undo" });
      } else if (mod && key === "y") {
        event.preventDefault();
        dispatch({ type: "redo" });
      } else if (mod && key === "d" && canEdit && selectedNodes.length > 0) {
        event.preventDefault();
        paste(JSON.stringify(copyFragment(definition, selectedNodes)));
      } else if (
        !mod &&
        canEdit &&
        (key === "/" || (key === "tab" && !event.shiftKey && onCanvas(event.target) && (selectedSteps.length === 1 || selection.has(TRIGGER_ID))))
      ) {
        event.preventDefault();
        const only = selectedSteps.length === 1 ? selectedSteps[0]! : selection.has(TRIGGER_ID) ? TRIGGER_ID : undefined;
        openPalette(only ? afterPlacement(only) : centerPlacement());
      } else if (key === "enter") {
        // The step that has focus (reached with Tab), else the one selected.
        const focused = event.target instanceof HTMLElement ? event.target.closest<HTMLElement>(".react-flow__node")?.dataset.id : undefined;
        const id = focused ?? (selection.size === 1 && onCanvas(event.target) ? [...selection][0] : undefined);
        if (!id || isNoteNodeId(id)) return;
        event.preventDefault();
        openConfig(id);
      }
    };
    const onCopy = (event: ClipboardEvent) => {
      if (isTyping(event.target) || selectedNodes.length === 0 || window.getSelection()?.toString()) return;
      event.preventDefault();
      event.clipboardData?.setData("text/plain", JSON.stringify(copyFragment(definition, selectedNodes), null, 2));
    };
    const onPaste = (event: ClipboardEvent) => {
      if (isTyping(event.target)) return;
      if (paste(event.clipboardData?.getData("text/plain") ?? "")) event.preventDefault();
    };
    const afterPlacement = (id: string): Placement => {
      const outputs = id === TRIGGER_ID ? [{ id: "out" }] : (index.nodeTypes.get(definition.nodes.find((node) => node.id === id)?.type ?? "")?.outputs ?? []);
      const free = outputs.find((handle) => !definition.edges.some((edge) => edge.source === id && edge.sourceHandle === handle.id)) ?? outputs[0];
      return free ? { kind: "after", source: id, sourceHandle: free.id } : centerPlacement();
    };
    const centerPlacement = (): Placement => ({ kind: "at", position: centerOfView() });
    document.addEventListener("keydown", onKey);
    document.addEventListener("copy", onCopy);
    document.addEventListener("paste", onPaste);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("paste", onPaste);
    };
  }, [tab, modal, palette, canEdit, selection, selectedNodes, selectedSteps, definition, index, paste, openPalette, openConfig, centerOfView]);

  // The page's list, once it has rendered the draft saved last, also marks the warnings that block publishing.
  const problems =
    autosave.status === "failed" ? definitionProblems(autosave.failure) : revision === autosave.savedRevision ? loadedProblems : autosave.problems;
  const modalNode = modal && modal.nodeId !== TRIGGER_ID ? definition.nodes.find((node) => node.id === modal.nodeId) : undefined;
  const modalNodeId = modal?.nodeId;
  // Once per opened modal and edit of the graph, not per render of the editor.
  const modalScope = useMemo(
    () =>
      modalNodeId === undefined
        ? undefined
        : {
            variables: variablesAt(index, definition, modalNodeId, samples),
            preview: { scope: previewScope(index, definition, modalNodeId, samples), source: sampleSource },
          },
    [index, definition, modalNodeId, samples, sampleSource],
  );
  const paletteContext = !palette
    ? ""
    : palette.kind === "after"
      ? `Adds a step after “${palette.source === TRIGGER_ID ? "the trigger" : (definition.nodes.find((node) => node.id === palette.source)?.name ?? palette.source)}”${palette.sourceHandle !== "out" ? ` (${palette.sourceHandle})` : ""}`
      : palette.kind === "on-edge"
        ? "Inserts a step on the connection"
        : "Adds a step to the canvas";

  return (
    <EditorActionsContext.Provider value={actions}>
      <Tabs.Root value={tab} onValueChange={setTab} className="grid gap-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <Tabs.List aria-label="Editor view" className="inline-flex rounded-lg bg-muted p-1 text-sm">
            <Tabs.Trigger
              value="canvas"
              className="rounded-md px-3 py-1 text-muted-foreground data-[state=active]:bg-background data-[state=active]:text-foreground data-[state=active]:shadow-xs"
            >
              Canvas
            </Tabs.Trigger>
            <Tabs.Trigger
              value="table"
              className="rounded-md px-3 py-1 text-muted-foreground data-[state=active]:bg-background data-[state=active]:text-foreground data-[state=active]:shadow-xs"
            >
              Table
            </Tabs.Trigger>
            <Tabs.Trigger
              value="json"
              className="rounded-md px-3 py-1 text-muted-foreground data-[state=active]:bg-background data-[state=active]:text-foreground data-[state=active]:shadow-xs"
            >
              Advanced: JSON
            </Tabs.Trigger>
          </Tabs.List>
          <SaveIndicator status={autosave.status} canEdit={canEdit} />
        </div>

        <Tabs.Content value="canvas" className="grid gap-3 focus-visible:outline-none">
          {run && (
            <Alert>
              <p className="flex flex-wrap items-center gap-x-3 gap-y-1">
                <span>Showing the run of {new Date(run.createdAt).toLocaleString()} on the canvas</span>
                <StatusBadge status={run.status} />
                <a href={`/runs/${run.id}`} className="font-medium underline underline-offset-4">
                  Open the run
                </a>
                <a href={`/workflows/${workflowId}`} className="font-medium underline underline-offset-4">
                  Hide it
                </a>
              </p>
            </Alert>
          )}
          {canEdit && (
            <div role="toolbar" aria-label="Canvas tools" className="flex flex-wrap gap-1.5">
              <Button
                size="sm"
                onClick={() =>
                  openPalette(
                    selectedSteps.length === 1
                      ? { kind: "after", source: selectedSteps[0]!, sourceHandle: firstOutput(index, definition, selectedSteps[0]!) }
                      : { kind: "at", position: { x: 0, y: (definition.nodes.at(-1)?.position.y ?? 0) + 140 } },
                  )
                }
                aria-keyshortcuts="/ Tab"
              >
                <Plus aria-hidden />
                Add step
                <kbd className="rounded border border-primary-foreground/30 px-1 text-[10px]">/</kbd>
              </Button>
              <Button size="sm" variant="outline" onClick={newNote}>
                <StickyNote aria-hidden />
                Add note
              </Button>
              <Button size="sm" variant="outline" onClick={() => dispatch({ type: "undo" })} disabled={history.past.length === 0} aria-keyshortcuts="Control+Z">
                <Undo2 aria-hidden />
                Undo
              </Button>
              <Button
                size="sm"
                variant="outline"
                onClick={() => dispatch({ type: "redo" })}
                disabled={history.future.length === 0}
                aria-keyshortcuts="Control+Shift+Z"
              >
                <Redo2 aria-hidden />
                Redo
              </Button>
              <Button
                size="sm"
                variant="outline"
                onClick={() => {
                  change(tidy(definition));
                  requestAnimationFrame(() => void flow.fitView({ maxZoom: 1, duration: 200 }));
                }}
              >
                <Workflow aria-hidden />
                Tidy up
              </Button>
              <Button size="sm" variant="outline" onClick={() => void flow.fitView({ maxZoom: 1, duration: 200 })}>
                <Maximize aria-hidden />
                Zoom to fit
              </Button>
            </div>
          )}
          <p className="text-xs text-muted-foreground sm:hidden">Editing works best on a wider screen; here you can read the workflow and open its steps.</p>
          <div
            className="h-[min(70dvh,640px)] min-h-80 overflow-hidden rounded-lg border bg-muted/30"
            data-testid="canvas"
            data-covered={modal ? "" : undefined}
          >
            <Canvas
              index={index}
              definition={definition}
              problems={problems}
              onChange={change}
              onDropStep={add}
              selection={selection}
              onSelectionChange={setSelection}
              run={overlay?.steps}
            />
          </div>
          <p className="hidden text-xs text-muted-foreground sm:block">
            Drag from a handle to connect, or drop an unconnected step (or one from the palette) onto a connection to insert it; Shift-drag selects an area,
            Ctrl/⌘-click adds to the selection; Delete removes; Enter opens the selected step (or writes in a note); / or Tab on a selected step adds one after
            it; Ctrl/⌘+C, V and D copy, paste and duplicate.
          </p>
        </Tabs.Content>

        {/* Drawn when asked for, from the draft as it is now: in the page, its rows for 300 steps were a
            fifth of what opening the page cost (bench/README.md). */}
        <Tabs.Content value="table" className="focus-visible:outline-none">
          <NodesTable definition={definition} />
        </Tabs.Content>

        <Tabs.Content value="json" className="focus-visible:outline-none">
          <JsonTab definition={definition} onChange={change} readOnly={!canEdit} />
        </Tabs.Content>

        <DraftProblems
          problems={problems}
          onSelect={focusProblem}
          notice={
            autosave.status === "failed" && (
              <Alert tone="warning">{autosave.failure?.message}. Fix the problems below; the editor saves again with your next change.</Alert>
            )
          }
        />
      </Tabs.Root>

      <Palette catalog={catalog} open={palette !== null} onOpenChange={(open) => !open && setPalette(null)} context={paletteContext} onPick={pick} />

      {modal && (modal.nodeId === TRIGGER_ID || modalNode) && (
        <ConfigModal
          key={modal.nodeId}
          index={index}
          target={modalNode ? { kind: "node", node: modalNode } : { kind: "trigger", trigger: definition.trigger }}
          problems={problems.filter((problem) => problem.nodeId === modal.nodeId)}
          variables={modalScope!.variables}
          preview={modalScope!.preview}
          connections={connections}
          loadOptions={optionsFor}
          focusField={modal.field}
          readOnly={!canEdit}
          testStep={canEdit ? testStep : undefined}
          onClose={() => setModal(null)}
          onApply={(target) => {
            change(target.kind === "node" ? updateNode(definition, target.node.id, () => target.node) : { ...definition, trigger: target.trigger });
            setModal(null);
          }}
        />
      )}

      {runStep && overlay?.latest.get(runStep) && (
        <RunStepDialog
          step={overlay.latest.get(runStep)!}
          name={definition.nodes.find((node) => node.id === runStep)?.name ?? runStep}
          onClose={() => setRunStep(null)}
          onConfigure={() => {
            setRunStep(null);
            setModal({ nodeId: runStep });
          }}
        />
      )}

      <Dialog open={autosave.status === "conflict"}>
        <DialogContent className="max-w-lg" onEscapeKeyDown={(event) => event.preventDefault()} onInteractOutside={(event) => event.preventDefault()}>
          <DialogHeader>
            <DialogTitle>Someone else saved this draft</DialogTitle>
            <DialogDescription>
              The draft was changed in another tab or by someone else since you opened it. Your edits here are not saved. Choose which version to keep.
            </DialogDescription>
          </DialogHeader>
          <DialogFooter>
            <Button variant="outline" onClick={autosave.reload}>
              Reload theirs
            </Button>
            <Button variant="destructive" onClick={() => void autosave.overwrite()}>
              Overwrite with mine
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </EditorActionsContext.Provider>
  );
}

function firstOutput(index: ReturnType<typeof indexCatalog>, definition: WorkflowDefinition, id: string): string {
  return index.nodeTypes.get(definition.nodes.find((node) => node.id === id)?.type ?? "")?.outputs[0]?.id ?? "out";
}

const saveCopy: Record<SaveStatus, string> = {
  saved: "All changes saved",
  pending: "Unsaved changes",
  saving: "Saving…",
  failed: "Not saved",
  conflict: "Not saved: conflict",
};

function SaveIndicator({ status, canEdit }: { status: SaveStatus; canEdit: boolean }) {
  if (!canEdit) return <p className="text-xs text-muted-foreground">Read only</p>;
  const Icon = status === "saved" ? CircleCheck : status === "saving" ? LoaderCircle : status === "pending" ? CloudUpload : TriangleAlert;
  return (
    <p
      role="status"
      className={cn(
        "flex items-center gap-1.5 text-xs",
        status === "failed" || status === "conflict" ? "font-medium text-destructive" : "text-muted-foreground",
      )}
    >
      <Icon className={cn("size-3.5", status === "saving" && "animate-spin")} aria-hidden />
      {saveCopy[status]}
    </p>
  );
}

/** The same definition as text. Edits apply as soon as the text is a definition; until then the canvas keeps the last good one. */
function JsonTab({
  definition,
  onChange,
  readOnly,
}: {
  definition: WorkflowDefinition;
  onChange: (definition: WorkflowDefinition) => void;
  readOnly: boolean;
}) {
  const formatted = useMemo(() => JSON.stringify(definition, null, 2), [definition]);
  const [text, setText] = useState(formatted);
  const [error, setError] = useState<string | undefined>();
  const applied = useRef(definition);
  // The canvas (or undo) changed it: show that, unless this text is what produced it.
  useEffect(() => {
    if (applied.current === definition) return;
    applied.current = definition;
    setText(formatted);
    setError(undefined);
  }, [definition, formatted]);
  return (
    <JsonField
      label="Definition (JSON)"
      name="definition"
      value={text}
      readOnly={readOnly}
      hint="The same draft as the canvas. Changes apply as soon as the text is a valid definition."
      error={error}
      onChange={(next) => {
        setText(next);
        const parsed = parseJsonText(next);
        if (!parsed.ok) return setError(parsed.message);
        const shaped = definitionSchema.safeParse(parsed.value);
        if (!shaped.success) {
          const issue = shaped.error.issues[0]!;
          return setError(`Not applied: ${issue.path.join(".") || "definition"}: ${issue.message}`);
        }
        setError(undefined);
        applied.current = shaped.data;
        onChange(shaped.data);
      }}
    />
  );
}
