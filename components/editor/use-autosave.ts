"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { WorkflowDefinition } from "@/lib/workflow/definition";
import { saveDraftAction } from "@/app/(app)/workflows/actions";
import type { ActionFailure } from "@/components/workflows/action-failure";
import type { ProblemItem } from "@/components/workflows/problems";

export type SaveStatus = "saved" | "pending" | "saving" | "failed" | "conflict";

/** Long enough to batch a burst of edits (typing a name, nudging a node), short enough to feel instant. */
export const AUTOSAVE_DELAY_MS = 800;
/** How long after the last save, with no edit or key since, the page around the editor is fetched again. */
const PAGE_REFRESH_DELAY_MS = 1000;

type AutosaveOptions = {
  workflowId: string;
  definition: WorkflowDefinition;
  /** The revision the page loaded; each save sends the one it last got back. */
  revision: string;
  problems: ProblemItem[];
  enabled: boolean;
};

/**
 * Saves the draft a moment after each change, with the revision it is based on. A save refused
 * because someone else saved first stops autosaving until the person picks: reload theirs, or
 * overwrite with this one. The save's answer is the revision and the problems only. What the page
 * shows around the editor (publish check, changes since published, versions) is fetched again once
 * the person pauses: rendering that page again took ~40 ms of main thread for a 300-step draft, and
 * when it came in a save's response it landed among the keys of whoever went on typing.
 */
export function useAutosave({ workflowId, definition, revision, problems: loadedProblems, enabled }: AutosaveOptions) {
  const router = useRouter();
  const [status, setStatus] = useState<SaveStatus>("saved");
  const [problems, setProblems] = useState(loadedProblems);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [savedRevision, setSavedRevision] = useState(revision);
  const latest = useRef(definition);
  const saved = useRef(definition);
  const base = useRef(revision);
  // Every revision this tab saved: a page refresh that lands late carries one of them, and is not news.
  const own = useRef(new Set([revision]));
  const inFlight = useRef<Promise<boolean> | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const statusRef = useRef(status);
  const takeNext = useRef(false);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pointerDown = useRef(false);
  const refreshWanted = useRef(false);
  useLayoutEffect(() => {
    statusRef.current = status;
    latest.current = definition;
  });

  // The page around the editor is fetched again once the person pauses: a second after the last
  // save with no key pressed since (its render, ~40 ms for 300 steps, would land among the keys of
  // someone typing in a step's form), and never while a button is held (the publish check above
  // the canvas can come or go and move it: a node or palette item dragged then would land off target).
  const refreshSoon = useCallback(() => {
    refreshWanted.current = true;
    clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => {
      if (pointerDown.current) return; // asked again on release
      refreshWanted.current = false;
      if (latest.current === saved.current && !inFlight.current) router.refresh(); // else the next save asks again
    }, PAGE_REFRESH_DELAY_MS);
  }, [router]);
  useEffect(() => {
    const press = () => (pointerDown.current = true);
    const release = () => {
      pointerDown.current = false;
      if (refreshWanted.current) refreshSoon();
    };
    const key = () => {
      if (refreshWanted.current) refreshSoon();
    };
    const listeners = [
      ["pointerdown", press],
      ["pointerup", release],
      ["pointercancel", release],
      ["keydown", key],
    ] as const;
    for (const [type, listener] of listeners) document.addEventListener(type, listener, true);
    return () => {
      for (const [type, listener] of listeners) document.removeEventListener(type, listener, true);
      clearTimeout(refreshTimer.current);
    };
  }, [refreshSoon]);

  const send = useCallback(
    async (overwrite: boolean): Promise<boolean> => {
      const sending = latest.current;
      if (sending === saved.current && !overwrite) return true;
      setStatus("saving");
      let result;
      try {
        result = await saveDraftAction({ id: workflowId, changes: { definition: sending, baseRevision: overwrite ? undefined : base.current } });
      } catch {
        setFailure({
          code: "internal",
          message: "Could not reach the server",
          remediation: "Check your connection; the editor tries again with your next change.",
        });
        setStatus("failed");
        return false;
      }
      if (!result.ok) {
        setFailure(result.error);
        setStatus(result.error.code === "conflict" ? "conflict" : "failed");
        return false;
      }
      base.current = result.data.revision;
      own.current.add(result.data.revision);
      setSavedRevision(result.data.revision);
      saved.current = sending;
      setFailure(null);
      // The same problems as before (most saves) keep their array, so the canvas has no node to redraw.
      const next = result.data.problems;
      setProblems((current) => (JSON.stringify(current) === JSON.stringify(next) ? current : next));
      setStatus(latest.current === sending ? "saved" : "pending");
      refreshSoon();
      return true;
    },
    [workflowId, refreshSoon],
  );

  const flush = useCallback(async (): Promise<boolean> => {
    clearTimeout(timer.current);
    while (inFlight.current) await inFlight.current;
    if (statusRef.current === "conflict") return false;
    if (latest.current === saved.current) return true;
    const attempt = send(false).finally(() => (inFlight.current = null));
    inFlight.current = attempt;
    return attempt;
  }, [send]);

  useEffect(() => {
    if (!enabled || definition === saved.current || statusRef.current === "conflict") return;
    setStatus((current) => (current === "saving" ? current : "pending"));
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void flush(), AUTOSAVE_DELAY_MS);
    return () => clearTimeout(timer.current);
  }, [definition, enabled, flush, status]);

  useEffect(() => {
    if (status === "saved") return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [status]);

  return {
    status,
    /** The revision of the last save (or of the draft taken from the page). */
    savedRevision,
    problems,
    failure,
    flush,
    /** Saves this tab's draft over the one saved elsewhere. */
    overwrite: () => send(true),
    /** Takes the draft saved elsewhere: the editor is reset to `definition`, saved at `revision`. */
    adopt: (definition: WorkflowDefinition, revision: string, problems: ProblemItem[]) => {
      latest.current = definition;
      saved.current = definition;
      base.current = revision;
      own.current.add(revision);
      takeNext.current = false;
      setSavedRevision(revision);
      setProblems(problems);
      setFailure(null);
      setStatus("saved");
    },
    /**
     * Whether to take the page's draft at `revision`: one this tab did not save (saved elsewhere,
     * or a restored version), while nothing here is unsaved or after "Reload theirs".
     */
    shouldAdopt: (revision: string) => !own.current.has(revision) && (statusRef.current === "saved" || takeNext.current),
    /** "Reload theirs": the next draft the page brings replaces this tab's. */
    reload: () => {
      takeNext.current = true;
      router.refresh();
    },
  };
}
