"use client";

import { useEffect, useState } from "react";
import type { RunDetail } from "@/lib/workflow/runs";
import { isActive } from "@/components/runs/run-badges";

const POLL_MS = 1000;

/**
 * The run the server rendered, kept current while it is active by polling the API every second.
 * If-None-Match with the last ETag makes an unchanged run a bodiless 304. When the page renders
 * again on the server (after Approve or Cancel), its fresh data replaces what polling had.
 */
export function useLiveRun(initial: RunDetail): RunDetail {
  const [run, setRun] = useState(initial);
  const [rendered, setRendered] = useState(initial);
  if (initial !== rendered) {
    setRendered(initial);
    setRun(initial);
  }

  const { id, etag } = run;
  const active = isActive(run.status);
  useEffect(() => {
    if (!active) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function poll() {
      try {
        const response = await fetch(`/api/v1/runs/${encodeURIComponent(id)}`, {
          headers: { "If-None-Match": etag },
          cache: "no-store",
          signal: controller.signal,
        });
        // A new ETag re-runs this effect, which polls on with it.
        if (response.status === 200) setRun((await response.json()) as RunDetail);
        // Signed out, or the run is gone: polling again would not help. Server errors may pass.
        else if (response.status !== 304 && response.status < 500) return;
      } catch {
        if (controller.signal.aborted) return;
      }
      timer = setTimeout(poll, POLL_MS);
    }
    timer = setTimeout(poll, POLL_MS);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [id, etag, active]);

  return run;
}
