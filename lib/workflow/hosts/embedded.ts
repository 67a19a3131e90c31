import { randomBytes } from "node:crypto";
import os from "node:os";
import type { Db } from "@/lib/db";
import { logger } from "@/lib/log";
import { systemClock, type Clock } from "../engine/clock";
import { advanceClaimedRun, type AdvanceResult } from "../engine/interpreter";
import { claimDueRuns, nextWakeAt, releaseRuns, renewLeases, type ClaimedRun } from "../engine/run-state";
import type { NodeCatalog } from "../node-types";
import { connectRunsReady, notifyRunsReady, onRunsReady, onUndoRequested } from "../engine/signal";
import { claimUndo, performUndo, releaseUndos } from "../undo";

// The embedded host: a worker loop inside the app process (or `npm run worker`). It claims due
// runs with FOR UPDATE SKIP LOCKED and a lease, so several workers on one Postgres server never
// run the same run at once; a worker that dies has its leases expire and its runs continue
// elsewhere. Parked runs (waits, approvals, backoff) are rows with wakeAt: they cost no CPU.

export type WorkerOptions = {
  /** The node types runs may use, with their executors (lib/catalog). */
  catalog: NodeCatalog;
  /**
   * Runs advanced at the same time. A run in flight mostly waits for the database, so this can be
   * well above the pool's size; on PGlite (one session) a few are enough.
   */
  concurrency?: number;
  leaseMs?: number;
  /** How often to look for due runs when nothing nudged the worker. */
  pollMs?: number;
  heartbeatMs?: number;
  /**
   * The Postgres server's URL: runs started or freed by other processes wake this worker at once
   * (LISTEN/NOTIFY), and its own nudges reach theirs. Without it, other processes' runs are found
   * by polling.
   */
  databaseUrl?: string;
  /** What due times are compared against and what fires the wake-up timer; the system clock when left out. */
  clock?: Clock;
  /** How often to look for undo requests made by other processes (this process's own start at once). */
  undoPollMs?: number;
};

/**
 * Worker settings by database. A Postgres server overlaps many runs' commits (group commit), so
 * many runs are in flight. PGlite runs in this process, so every poll costs this process's CPU:
 * it polls less often (every run it starts, approves or suspends nudges the worker anyway).
 */
export const workerDefaults = {
  server: { concurrency: 64 },
  embedded: { concurrency: 32, pollMs: 1000 },
} as const satisfies Record<"server" | "embedded", Omit<WorkerOptions, "catalog">>;

/** How long a worker with few free slots waits for more runs to finish before it claims again. */
const BUSY_CLAIM_DELAY_MS = 3;

/** Limited workflows are also tried this often while free runs keep every slot busy, so they do not starve. */
const LIMITED_EVERY_MS = 250;

export class EmbeddedWorker {
  readonly id = `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly heartbeatMs: number;
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private stopping = false;
  private wake: (() => void) | null = null;
  /** Nudged while busy claiming: look again before sleeping, or the nudge is lost until the next poll. */
  private nudged = false;
  private loop: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | null = null;
  private disconnect: (() => Promise<void>) | null = null;
  private readonly databaseUrl: string | undefined;
  private lastLimitedClaim = 0;
  /** The earliest known wake-up of a parked run, and the cancel of the timer armed for it. */
  private nextWake: { at: number; cancel: () => void } | null = null;
  private readonly catalog: NodeCatalog;
  private readonly clock: Clock;
  private readonly undoPollMs: number;
  /** Undo requests are rare: one at a time, beside the runs, never in the claim loop's way. */
  private undoing: Promise<void> | null = null;
  private undoAgain = false;
  /** Outcome of each advance, for tests and benchmarks that wait for runs. */
  onAdvanced?: (runId: string, result: AdvanceResult) => void;

  constructor(
    private readonly db: Db,
    options: WorkerOptions,
  ) {
    this.catalog = options.catalog;
    this.clock = options.clock ?? systemClock;
    this.concurrency = options.concurrency ?? 16;
    this.databaseUrl = options.databaseUrl;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 500;
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
    this.undoPollMs = options.undoPollMs ?? 2_000;
  }

  async start(): Promise<void> {
    await this.heartbeat();
    this.timers.push(
      setInterval(() => void this.heartbeat().catch((error: unknown) => logger.warn({ err: error }, "worker heartbeat failed")), this.heartbeatMs),
    );
    this.timers.push(
      setInterval(() => {
        if (this.inflight.size > 0)
          void renewLeases(this.db, this.id, this.leaseMs).catch((error: unknown) => logger.warn({ err: error }, "lease renewal failed"));
      }, this.leaseMs / 3),
    );
    this.timers.push(setInterval(() => this.pumpUndos(), this.undoPollMs));
    for (const timer of this.timers) timer.unref();
    const leaveRuns = onRunsReady(() => this.nudge());
    const leaveUndos = onUndoRequested(() => this.pumpUndos());
    this.unsubscribe = () => {
      leaveRuns();
      leaveUndos();
    };
    this.pumpUndos();
    if (this.databaseUrl) this.disconnect = await connectRunsReady(this.databaseUrl);
    this.loop = this.run();
    logger.info({ worker: this.id, concurrency: this.concurrency, notifications: this.databaseUrl ? "listen" : "in-process" }, "embedded worker started");
  }

  /** Stops claiming, lets runs in flight reach their next step boundary, and hands back their leases. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.abort.abort();
    // A nudge, not just a wake: a loop busy claiming right now must not go to sleep for pollMs.
    this.nudge();
    for (const timer of this.timers) clearInterval(timer);
    this.nextWake?.cancel();
    this.unsubscribe?.();
    await this.disconnect?.();
    await this.loop;
    await Promise.allSettled([...this.inflight.values(), this.undoing]);
    await releaseRuns(this.db, this.id, this.clock.now());
    await releaseUndos(this.db, this.id);
    await this.db.workerHeartbeat.deleteMany({ where: { id: this.id } });
    logger.info({ worker: this.id }, "embedded worker stopped");
  }

  private nudge() {
    this.nudged = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.nudged = false;
      const free = this.concurrency - this.inflight.size;
      // Full: nothing to claim, and the next finish nudges us.
      if (free > 0) {
        let claimed: ClaimedRun[] = [];
        try {
          claimed = await this.claim(free);
        } catch (error) {
          logger.error({ err: error }, "claiming runs failed");
        }
        if (claimed.length > 0) {
          for (const run of claimed) this.spawn(run);
          continue;
        }
        if (this.nudged) continue;
        // Nothing due now: wake up when the earliest parked run is (whatever parked it, this
        // process or another), not at the next poll. Looked up again whenever a claim finds
        // nothing, so every suspension, approval or start re-arms it.
        try {
          this.armWake(await nextWakeAt(this.db));
        } catch (error) {
          logger.warn({ err: error }, "reading the next wake-up failed; polling finds it");
        }
        if (this.nudged) continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      // Runs that finish together free their slots together: one claim for all of them. A busy
      // worker waits a little longer for more to finish, so it claims in batches, not one by one.
      const busy = this.concurrency - this.inflight.size < this.concurrency / 4;
      await new Promise((resolve) => (busy ? setTimeout(resolve, BUSY_CLAIM_DELAY_MS) : setImmediate(resolve)));
    }
  }

  private spawn({ run, steps, limited }: ClaimedRun) {
    const work = advanceClaimedRun(this.db, run, steps, { catalog: this.catalog, leaseOwner: this.id, signal: this.abort.signal, clock: this.clock })
      .then((result) => {
        this.onAdvanced?.(run.id, result);
        // A finished run of a limited workflow frees a slot, which other processes' workers may be waiting for.
        if (result.kind === "finished" && limited) notifyRunsReady();
        if (result.kind === "suspended" && result.wakeAt) this.armWake(result.wakeAt);
      })
      .catch((error: unknown) => logger.error({ err: error, runId: run.id }, "advancing a run failed; its lease will expire and it will be retried"))
      .finally(() => {
        this.inflight.delete(run.id);
        this.nudge();
      });
    this.inflight.set(run.id, work);
  }

  /** Works through open undo requests until none is left; asked again while busy, it looks once more at the end. */
  private pumpUndos() {
    if (this.stopping) return;
    if (this.undoing) {
      this.undoAgain = true;
      return;
    }
    this.undoing = (async () => {
      do {
        this.undoAgain = false;
        const claim = () => claimUndo(this.db, this.id, this.leaseMs, this.clock.now());
        for (let id = await claim(); id && !this.stopping; id = await claim()) {
          const outcome = await performUndo(this.db, this.catalog, id, this.id, { leaseMs: this.leaseMs, signal: this.abort.signal, clock: this.clock });
          // Parked by a rate limit: looked for again at that time (the poll is the safety net).
          if (typeof outcome === "object") this.clock.at(outcome.waitUntil, () => this.pumpUndos());
        }
      } while (this.undoAgain && !this.stopping);
    })()
      .catch((error: unknown) => logger.error({ err: error }, "undoing effects failed; the request's lease will expire and it will be resumed"))
      .finally(() => {
        this.undoing = null;
      });
  }

  /** Arms the wake-up timer for `at` unless one is armed for an earlier, still future, time. */
  private armWake(at: Date | null) {
    if (!at || this.stopping) return;
    const time = at.getTime();
    if (this.nextWake && this.nextWake.at <= time && this.nextWake.at > this.clock.now().getTime()) return;
    this.nextWake?.cancel();
    const cancel = this.clock.at(at, () => {
      if (this.nextWake?.cancel === cancel) this.nextWake = null;
      this.nudge();
    });
    this.nextWake = { at: time, cancel };
  }

  /**
   * Takes due runs (run-state.ts): of workflows without a concurrency limit in batches, and now
   * and then (or when nothing free is due) one of a limited workflow, so those do not starve.
   */
  private async claim(slots: number): Promise<ClaimedRun[]> {
    const limitedDue = Date.now() - this.lastLimitedClaim >= LIMITED_EVERY_MS;
    if (limitedDue) this.lastLimitedClaim = Date.now();
    return claimDueRuns(this.db, { owner: this.id, leaseMs: this.leaseMs, now: this.clock.now(), slots, limitedDue });
  }

  private async heartbeat(): Promise<void> {
    await this.db.workerHeartbeat.upsert({
      where: { id: this.id },
      create: { id: this.id, hostname: os.hostname(), pid: process.pid },
      update: { lastSeenAt: new Date() },
    });
  }
}
