import { getEnv } from "@/lib/config/env";
import type { Db } from "@/lib/db";
import { notifyRunsReady, notifyUndoRequested } from "../engine/signal";
import { triggerHost } from "./trigger";

// Which host executes runs, as the run service sees it: it only tells the host that something
// happened to a run. The embedded worker finds work in the database (a nudge makes it look now);
// the Trigger.dev host needs each run triggered as a task and each decided approval's token completed.

export type RunHost = {
  kind: "embedded" | "trigger";
  /** Runs that are ready to start: new or replayed. */
  enqueue(db: Db, runIds: string[]): Promise<void>;
  /** An approval was decided; its run continues. */
  resume(db: Db, waitpointId: string, result: unknown): Promise<void>;
  /** A run was cancelled; whatever executes it should stop. */
  cancelled(db: Db, runId: string): Promise<void>;
  /** An undo of a run's effects was requested (lib/workflow/undo.ts). */
  undo(db: Db, undoId: string): Promise<void>;
};

const embeddedHost: RunHost = {
  kind: "embedded",
  // After this turn: the worker's claim would otherwise take the CPU before the start's own
  // answer is sent (1 client in-process: a start 3.5 ms with the worker running, 1.2 ms without).
  enqueue: async () => void setImmediate(notifyRunsReady),
  resume: async () => notifyRunsReady(),
  // A cancelled run may free a slot of its workflow's concurrency limit.
  cancelled: async () => notifyRunsReady(),
  undo: async () => notifyUndoRequested(),
};

export function runHost(): RunHost {
  return getEnv().runsOn === "trigger.dev" ? triggerHost : embeddedHost;
}
