"use client";

import { createContext, useContext } from "react";
import type { StickyNote } from "@/lib/workflow/definition";
import type { Placement } from "./graph";

/** What a node on the canvas may ask of the editor around it. */
export type EditorActions = {
  openConfig: (nodeId: string) => void;
  openPalette: (placement: Placement) => void;
  changeNote: (id: string, change: Partial<Omit<StickyNote, "id">>) => void;
  readOnly: boolean;
};

export const EditorActionsContext = createContext<EditorActions>({ openConfig: () => {}, openPalette: () => {}, changeNote: () => {}, readOnly: true });
export const useEditorActions = () => useContext(EditorActionsContext);
