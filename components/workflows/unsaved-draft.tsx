"use client";

import { createContext, useContext, useEffect, useState, type ReactNode } from "react";

// Publish takes the saved draft, not the editor's text: the editor says when the two differ, so
// Publish can refuse rather than publish something other than what is on screen.
const UnsavedDraft = createContext<{ unsaved: boolean; setUnsaved: (unsaved: boolean) => void }>({ unsaved: false, setUnsaved: () => {} });

export function UnsavedDraftProvider({ children }: { children: ReactNode }) {
  const [unsaved, setUnsaved] = useState(false);
  return <UnsavedDraft.Provider value={{ unsaved, setUnsaved }}>{children}</UnsavedDraft.Provider>;
}

export function useReportUnsavedDraft(unsaved: boolean) {
  const { setUnsaved } = useContext(UnsavedDraft);
  useEffect(() => {
    setUnsaved(unsaved);
    return () => setUnsaved(false);
  }, [unsaved, setUnsaved]);
}

export const useUnsavedDraft = () => useContext(UnsavedDraft).unsaved;
