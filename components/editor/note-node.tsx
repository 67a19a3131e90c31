"use client";

import { NodeResizer, type Node, type NodeProps } from "@xyflow/react";
import { StickyNote as StickyNoteIcon } from "lucide-react";
import { memo, useEffect, useRef, useState } from "react";
import { cn } from "@/lib/utils/cn";
import { useEditorActions } from "./editor-context";
import { noteIdOf } from "./graph";

export type NoteNodeData = { text: string };
export type NoteNode = Node<NoteNodeData, "note">;

export const NOTE_SIZE = { width: 220, height: 120 };

/**
 * A sticky note: a comment on the canvas, never run. Double-click or Enter edits it; leaving the
 * field (or Ctrl/⌘+Enter) keeps the text, Escape drops the edit; Delete removes the selected note.
 */
export const NoteNodeView = memo(function NoteNodeView({ id, data, selected }: NodeProps<NoteNode>) {
  const { changeNote, readOnly } = useEditorActions();
  const [editing, setEditing] = useState<string | null>(null);
  // Escape unmounts the field, which may still report a blur: that one must not save.
  const dropped = useRef(false);
  const startEditing = () => {
    dropped.current = false;
    setEditing(data.text);
  };
  // Keys reach React Flow's wrapper of the note (the element that has focus), not this view inside it.
  const view = useRef<HTMLDivElement>(null);
  const editable = !readOnly && editing === null;
  useEffect(() => {
    const wrapper = view.current?.parentElement;
    if (!wrapper || !editable) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Enter" || event.target !== wrapper) return;
      event.preventDefault();
      event.stopPropagation();
      dropped.current = false;
      setEditing(data.text);
    };
    wrapper.addEventListener("keydown", onKey);
    return () => wrapper.removeEventListener("keydown", onKey);
  }, [editable, data.text]);
  const commit = () => {
    if (!dropped.current && editing !== null && editing !== data.text) changeNote(noteIdOf(id), { text: editing });
    setEditing(null);
  };
  return (
    <div
      className={cn(
        "flex h-full w-full flex-col rounded-md border border-amber-300 bg-amber-100 text-amber-950 shadow-sm dark:border-amber-700 dark:bg-amber-950 dark:text-amber-50",
        selected && "ring-2 ring-primary/50",
      )}
      ref={view}
      onDoubleClick={() => !readOnly && startEditing()}
    >
      {!readOnly && (
        <NodeResizer
          isVisible={selected}
          minWidth={120}
          minHeight={60}
          lineClassName="!border-primary/40"
          handleClassName="!size-2 !border-primary !bg-background"
          onResizeEnd={(_event, size) => changeNote(noteIdOf(id), { width: Math.round(size.width), height: Math.round(size.height) })}
        />
      )}
      <p className="flex items-center gap-1 px-2 pt-1.5 text-[11px] font-medium opacity-70">
        <StickyNoteIcon className="size-3" aria-hidden />
        Note
      </p>
      {editing !== null ? (
        <textarea
          autoFocus
          aria-label="Note text"
          maxLength={5000}
          className="nodrag nopan nowheel m-1 flex-1 resize-none rounded bg-background/70 p-1.5 text-sm text-foreground outline-2 outline-ring"
          value={editing}
          onChange={(event) => setEditing(event.target.value)}
          onBlur={commit}
          onKeyDown={(event) => {
            event.stopPropagation();
            if (event.key === "Escape") {
              dropped.current = true;
              setEditing(null);
            }
            if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) commit();
          }}
        />
      ) : (
        <p className="nowheel flex-1 overflow-auto px-2 pb-2 text-sm break-words whitespace-pre-wrap">
          {data.text || <span className="italic opacity-60">{readOnly ? "Empty note" : "Double-click or press Enter to write"}</span>}
        </p>
      )}
    </div>
  );
});
