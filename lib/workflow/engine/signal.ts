import { EventEmitter } from "node:events";

// In-process nudge: a run became claimable (started, approved, cancelled-with-waiters). The
// embedded worker listens so a new run starts at once instead of at the next poll; other
// processes on a Postgres server still find it by polling.
const emitter = (globalThis as unknown as { __flowlineRunsReady?: EventEmitter }).__flowlineRunsReady ??= new EventEmitter().setMaxListeners(100);
(globalThis as unknown as { __flowlineRunsReady?: EventEmitter }).__flowlineRunsReady = emitter;

export const notifyRunsReady = () => void emitter.emit("ready");
export function onRunsReady(listener: () => void): () => void {
  emitter.on("ready", listener);
  return () => emitter.off("ready", listener);
}
