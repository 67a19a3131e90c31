"use client";

import { createContext, useContext } from "react";
import type { Placement } from "./graph";

/** What a node on the canvas may ask of the editor around it. */
export type EditorActions = {
  openConfig: (nodeId: string) => void;
  openPalette: (placement: Placement) => void;
  readOnly: boolean;
};

export const EditorActionsContext = createContext<EditorActions>({ openConfig: () => {}, openPalette: () => {}, readOnly: true });
export const useEditorActions = () => useContext(EditorActionsContext);
