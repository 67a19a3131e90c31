"use client";

import { Handle, Position, useStore, type Node, type NodeProps } from "@xyflow/react";
import { OctagonAlert, Plus, TriangleAlert } from "lucide-react";
import { memo } from "react";
import type { HandleDescription, IconDescription } from "@/lib/catalog/description";
import { cn } from "@/lib/utils/cn";
import { useEditorActions } from "./editor-context";
import { NodeIcon } from "./node-icon";

export type StepStatus = "succeeded" | "failed" | "skipped" | "waiting" | "running" | "cancelled";

export type StepNodeData = {
  title: string;
  /** The type's name ("Send message"), or "Unknown type x.y" when the catalog has no such type. */
  typeLabel: string;
  icon: IconDescription;
  inputs: HandleDescription[];
  outputs: HandleDescription[];
  errors: number;
  warnings: number;
  trigger: boolean;
  /** Set while a run is drawn on the canvas. */
  run?: { status: StepStatus; attempts: number; durationMs: number | null };
};

export type StepNode = Node<StepNodeData, "step">;

const statusStyle: Record<StepStatus, string> = {
  succeeded: "border-emerald-500 ring-2 ring-emerald-500/30",
  failed: "border-destructive ring-2 ring-destructive/30",
  skipped: "border-dashed opacity-60",
  waiting: "border-amber-500 ring-2 ring-amber-500/30",
  running: "border-primary ring-2 ring-primary/40 animate-pulse",
  cancelled: "border-dashed opacity-60",
};

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/**
 * Below this zoom a node's icon is a few pixels wide and its "+" buttons cannot be hit, yet their
 * SVGs were most of what opening a 300-step workflow drew (bench/README.md): they are left out,
 * in boxes of the same size so the node and its handles do not move when the zoom crosses it.
 */
const DETAIL_ZOOM = 0.5;
const zoomedOut = (state: { transform: [number, number, number] }) => state.transform[2] < DETAIL_ZOOM;

/** A step (or the trigger) on the canvas: icon, name, type, problems, and its handles with their labels. */
export const StepNodeView = memo(function StepNodeView({ id, data, selected }: NodeProps<StepNode>) {
  const { openConfig, openPalette, readOnly } = useEditorActions();
  const compact = useStore(zoomedOut);
  const problems = [data.errors > 0 && plural(data.errors, "error"), data.warnings > 0 && plural(data.warnings, "warning")].filter(Boolean).join(", ");
  return (
    <div
      className={cn(
        "group w-[240px] rounded-lg border bg-card text-card-foreground shadow-sm transition-shadow",
        selected && "border-primary ring-2 ring-primary/40",
        data.run && statusStyle[data.run.status],
      )}
      onDoubleClick={() => openConfig(id)}
    >
      {!data.trigger &&
        data.inputs.map((handle) => (
          <Handle key={handle.id} type="target" position={Position.Top} id={handle.id} className="!size-3 !border-2 !border-background !bg-muted-foreground" />
        ))}
      <div className="flex items-start gap-2.5 px-3 pt-2.5 pb-2">
        <span
          className={cn("mt-0.5 grid size-8 shrink-0 place-items-center rounded-md", data.trigger ? "bg-primary/10 text-primary" : "bg-muted text-foreground")}
        >
          {!compact && <NodeIcon icon={data.icon} />}
        </span>
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-medium" title={data.title}>
            {data.title}
          </p>
          <p className="truncate text-xs text-muted-foreground">{data.trigger ? `Trigger · ${data.typeLabel}` : data.typeLabel}</p>
        </div>
        {problems && (
          <span
            className={cn(
              "flex shrink-0 items-center gap-1 rounded-full px-1.5 py-0.5 text-xs font-medium",
              data.errors > 0 ? "bg-destructive/10 text-destructive" : "bg-warning text-warning-foreground",
            )}
            title={problems}
          >
            {data.errors > 0 ? <OctagonAlert className="size-3.5" aria-hidden /> : <TriangleAlert className="size-3.5" aria-hidden />}
            {data.errors + data.warnings}
            <span className="sr-only">{problems}</span>
          </span>
        )}
      </div>
      {data.run && (
        <p className="border-t px-3 py-1 text-xs text-muted-foreground" data-run-status={data.run.status}>
          <span className="font-medium text-foreground capitalize">{data.run.status}</span>
          {data.run.attempts > 1 && ` · ${data.run.attempts} attempts`}
          {data.run.durationMs !== null && ` · ${duration(data.run.durationMs)}`}
        </p>
      )}
      {data.outputs.length > 0 && (
        <div className="flex justify-around gap-1 border-t px-1 pt-1 pb-2">
          {data.outputs.map((handle) => (
            <div key={handle.id} className="relative flex min-w-0 items-center gap-0.5">
              <span className="truncate text-[11px] text-muted-foreground">{handle.label}</span>
              {readOnly ? null : compact ? (
                <span className="size-5" />
              ) : (
                <button
                  type="button"
                  className="nodrag nopan grid size-5 place-items-center rounded text-muted-foreground hover:bg-accent hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring"
                  aria-label={`Add a step after ${data.title}: ${handle.label}`}
                  title={`Add a step after “${handle.label}”`}
                  onClick={() => openPalette({ kind: "after", source: id, sourceHandle: handle.id })}
                >
                  <Plus className="size-3.5" aria-hidden />
                </button>
              )}
              <Handle
                type="source"
                position={Position.Bottom}
                id={handle.id}
                className="!-bottom-2 !size-3 !border-2 !border-background !bg-primary"
                aria-label={`${handle.label} output of ${data.title}`}
              />
            </div>
          ))}
        </div>
      )}
    </div>
  );
});
