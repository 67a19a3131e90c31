"use client";

import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import type { ProblemItem } from "@/components/workflows/problems";

// What the page's header buttons need from the editor below them: Publish and Run now take the
// saved draft, so they first have the editor save what is on screen; a problem in Publish's
// refusal takes the person to its node and field.
export type DraftBridge = {
  unsaved: boolean;
  /** Saves pending edits; false when they could not be saved (a conflict, an invalid draft). */
  flush: () => Promise<boolean>;
  focusProblem?: (problem: ProblemItem) => void;
};

const idle: DraftBridge = { unsaved: false, flush: async () => true };
const Bridge = createContext<{ bridge: DraftBridge; setBridge: (bridge: DraftBridge) => void }>({ bridge: idle, setBridge: () => {} });

export function UnsavedDraftProvider({ children }: { children: ReactNode }) {
  const [bridge, setBridge] = useState(idle);
  return <Bridge.Provider value={{ bridge, setBridge }}>{children}</Bridge.Provider>;
}

/** The editor registers itself; the latest values win, and leaving the page resets them. */
export function useProvideDraftBridge(bridge: DraftBridge) {
  const { setBridge } = useContext(Bridge);
  const { unsaved, flush, focusProblem } = bridge;
  useEffect(() => {
    setBridge({ unsaved, flush, focusProblem });
    return () => setBridge(idle);
  }, [unsaved, flush, focusProblem, setBridge]);
}

export const useDraftBridge = () => useContext(Bridge).bridge;
