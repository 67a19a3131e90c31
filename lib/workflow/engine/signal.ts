import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import pg from "pg";
import { logger } from "@/lib/log";

// The nudge that a run became claimable (started, approved, a concurrency slot freed). In-process
// it is an event, so the embedded worker starts a new run at once instead of at its next poll.
// Across processes on one Postgres server it is LISTEN/NOTIFY: a process connected with
// `connectRunsReady(url)` (the embedded worker, given the server's URL) publishes its nudges as a
// NOTIFY and turns other processes' NOTIFYs into local events. PGlite has one process: the event
// is all it needs. Polling stays the safety net: a lost notification only costs latency.

type State = { emitter: EventEmitter; bridge?: Bridge };
const state = ((globalThis as unknown as { __flowlineRunsReadyState?: State }).__flowlineRunsReadyState ??= {
  emitter: new EventEmitter().setMaxListeners(100),
});

const CHANNEL = "flowline_runs_ready";

export function notifyRunsReady(): void {
  state.emitter.emit("ready");
  state.bridge?.publish();
}

export function onRunsReady(listener: () => void): () => void {
  state.emitter.on("ready", listener);
  return () => state.emitter.off("ready", listener);
}

/** An undo was requested in this process (lib/workflow/undo.ts); other processes' workers find it by polling. */
export function notifyUndoRequested(): void {
  state.emitter.emit("undo");
}

export function onUndoRequested(listener: () => void): () => void {
  state.emitter.on("undo", listener);
  return () => state.emitter.off("undo", listener);
}

/**
 * Joins this process to the server-wide nudge (LISTEN/NOTIFY on one dedicated connection).
 * Shared by the callers of one process; returns the function that leaves it.
 */
export async function connectRunsReady(url: string): Promise<() => Promise<void>> {
  if (state.bridge && state.bridge.url !== url) throw new Error("this process is already connected to another database for run notifications");
  const bridge = (state.bridge ??= new Bridge(url));
  bridge.users++;
  await bridge.ready;
  let left = false;
  return async () => {
    if (left) return;
    left = true;
    if (--bridge.users > 0) return;
    if (state.bridge === bridge) state.bridge = undefined;
    await bridge.close();
  };
}

class Bridge {
  users = 0;
  ready: Promise<void>;
  private client: pg.Client | null = null;
  private closed = false;
  private publishing = false;
  private again = false;
  private retry: NodeJS.Timeout | null = null;
  /** Our own NOTIFYs come back to us: the payload tells them apart. */
  private readonly token = randomBytes(6).toString("hex");

  constructor(readonly url: string) {
    this.ready = this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on("notification", (message) => {
      if (message.payload !== this.token) state.emitter.emit("ready");
    });
    const lost = (error?: unknown) => {
      if (this.client !== client) return;
      this.client = null;
      client.end().catch(() => {});
      if (this.closed) return;
      logger.warn({ err: error }, "run notifications lost their connection; polling until it is back");
      this.retry = setTimeout(() => void this.connect(), 1000);
      this.retry.unref();
    };
    client.on("error", lost);
    client.on("end", () => lost());
    try {
      await client.connect();
      // A notification is a hint, not data: it need not wait for a WAL flush.
      await client.query("SET synchronous_commit = off");
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      this.client = client;
      lost(error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    // Whatever was announced while we were away is found now.
    state.emitter.emit("ready");
  }

  /** At most one NOTIFY in flight: nudges that arrive meanwhile are folded into the next one. */
  publish(): void {
    if (!this.client) return;
    if (this.publishing) {
      this.again = true;
      return;
    }
    this.publishing = true;
    this.client
      .query("SELECT pg_notify($1, $2)", [CHANNEL, this.token])
      .catch((error: unknown) => logger.warn({ err: error }, "publishing a run notification failed"))
      .finally(() => {
        this.publishing = false;
        if (this.again) {
          this.again = false;
          this.publish();
        }
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}
