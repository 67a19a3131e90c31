import { randomBytes } from "node:crypto";
import os from "node:os";
import type { Db } from "@/lib/db";
import { Prisma, type WorkflowRun, type WorkflowRunStep } from "@/lib/generated/prisma/client";
import { logger } from "@/lib/log";
import { advanceClaimedRun, type AdvanceResult } from "../engine/interpreter";
import type { NodeCatalog } from "../node-types";
import { connectRunsReady, notifyRunsReady, onRunsReady } from "../engine/signal";

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

/** Limited workflows are also tried this often while free runs keep every slot busy, so they do not starve. */
const LIMITED_EVERY_MS = 250;

type ClaimedRow = WorkflowRun & { steps: (Omit<WorkflowRunStep, "startedAt" | "finishedAt"> & { startedAt: string; finishedAt: string | null })[] };
type Claimed = { run: WorkflowRun; steps: WorkflowRunStep[] };

// timestamp(3) columns hold UTC; json_agg renders them without a zone.
const utc = (value: string) => new Date(`${value}Z`);
function claimed({ steps, ...run }: ClaimedRow): Claimed {
  return { run, steps: steps.map((step) => ({ ...step, startedAt: utc(step.startedAt), finishedAt: step.finishedAt === null ? null : utc(step.finishedAt) })) };
}
// What a claim returns: the run's row, and its step records so far (none for a new run), so
// advancing it does not read either again.
const CLAIMED = Prisma.sql`r.*, (SELECT COALESCE(json_agg(s ORDER BY s.attempt), '[]') FROM "WorkflowRunStep" AS s WHERE s."runId" = r.id) AS steps`;

const CLAIM_LOCK = 727_073_692;
// The runs a worker may take now. Each branch matches an index: (status, wakeAt).
const DUE = Prisma.sql`((c.status = 'queued') OR (c.status = 'waiting' AND c."wakeAt" <= now()) OR (c.status = 'running' AND c."leaseExpiresAt" < now()))`;

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
  /** The earliest wakeAt this worker set on a run it suspended, and the timer for it. */
  private nextWake: { at: number; timer: NodeJS.Timeout } | null = null;
  private readonly catalog: NodeCatalog;
  /** Outcome of each advance, for tests and benchmarks that wait for runs. */
  onAdvanced?: (runId: string, result: AdvanceResult) => void;

  constructor(
    private readonly db: Db,
    options: WorkerOptions,
  ) {
    this.catalog = options.catalog;
    this.concurrency = options.concurrency ?? 16;
    this.databaseUrl = options.databaseUrl;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 500;
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
  }

  async start(): Promise<void> {
    await this.heartbeat();
    this.timers.push(setInterval(() => void this.heartbeat().catch((error: unknown) => logger.warn({ err: error }, "worker heartbeat failed")), this.heartbeatMs));
    this.timers.push(setInterval(() => void this.renewLeases().catch((error: unknown) => logger.warn({ err: error }, "lease renewal failed")), this.leaseMs / 3));
    for (const timer of this.timers) timer.unref();
    this.unsubscribe = onRunsReady(() => this.nudge());
    if (this.databaseUrl) this.disconnect = await connectRunsReady(this.databaseUrl);
    this.loop = this.run();
    logger.info({ worker: this.id, concurrency: this.concurrency, notifications: this.databaseUrl ? "listen" : "in-process" }, "embedded worker started");
  }

  /** Stops claiming, lets runs in flight reach their next step boundary, and hands back their leases. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.abort.abort();
    this.wake?.();
    for (const timer of this.timers) clearInterval(timer);
    if (this.nextWake) clearTimeout(this.nextWake.timer);
    this.unsubscribe?.();
    await this.disconnect?.();
    await this.loop;
    await Promise.allSettled(this.inflight.values());
    await this.db.workflowRun.updateMany({ where: { leaseOwner: this.id, status: "running" }, data: { status: "queued", leaseOwner: null, leaseExpiresAt: null } });
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
      let claimed: Claimed[] = [];
      if (this.inflight.size < this.concurrency) {
        try {
          claimed = await this.claim(this.concurrency - this.inflight.size);
        } catch (error) {
          logger.error({ err: error }, "claiming runs failed");
        }
      }
      if (claimed.length > 0) {
        for (const run of claimed) this.spawn(run);
        continue;
      }
      if (this.nudged && this.inflight.size < this.concurrency) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      // Runs that finish together free their slots together: one claim for all of them.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private spawn({ run, steps }: Claimed) {
    const work = advanceClaimedRun(this.db, run, steps, { catalog: this.catalog, leaseOwner: this.id, signal: this.abort.signal })
      .then((result) => {
        this.onAdvanced?.(run.id, result);
        // A finished run may free a concurrency slot of its workflow.
        if (result.kind === "finished") notifyRunsReady();
        if (result.kind === "suspended" && result.wakeAt) this.wakeAt(result.wakeAt);
      })
      .catch((error: unknown) => logger.error({ err: error, runId: run.id }, "advancing a run failed; its lease will expire and it will be retried"))
      .finally(() => {
        this.inflight.delete(run.id);
        this.nudge();
      });
    this.inflight.set(run.id, work);
  }

  /** A run this worker suspended is due before the next poll: look for it then. */
  private wakeAt(at: Date) {
    const time = at.getTime();
    if (time - Date.now() >= this.pollMs || (this.nextWake && this.nextWake.at <= time && this.nextWake.at > Date.now())) return;
    if (this.nextWake) clearTimeout(this.nextWake.timer);
    const timer = setTimeout(() => {
      this.nextWake = null;
      this.nudge();
    }, Math.max(0, time - Date.now()));
    timer.unref();
    this.nextWake = { at: time, timer };
  }

  /**
   * Takes due runs: queued, waiting with wakeAt passed, or running under an expired lease.
   * Runs of workflows without a concurrency limit are claimed in batches by one statement;
   * workflows with a limit are claimed one at a time under an advisory lock, so the limit holds
   * across workers. The statement that claims also returns the runs' rows and step records.
   */
  private async claim(slots: number): Promise<Claimed[]> {
    const lease = this.leaseMs / 1000;
    const limitedDue = Date.now() - this.lastLimitedClaim >= LIMITED_EVERY_MS;
    const free = await this.db.$queryRaw<ClaimedRow[]>`
      UPDATE "WorkflowRun" AS r
         SET status = 'running', "leaseOwner" = ${this.id}, "leaseExpiresAt" = now() + make_interval(secs => ${lease}),
             "startedAt" = COALESCE(r."startedAt", now()), "wakeAt" = NULL
       WHERE r.id IN (
         SELECT c.id FROM "WorkflowRun" AS c JOIN "Workflow" AS w ON w.id = c."workflowId"
          WHERE ${DUE} AND w."concurrencyLimit" IS NULL
          ORDER BY c."createdAt"
          LIMIT ${limitedDue && slots > 1 ? slots - 1 : slots}
          FOR UPDATE OF c SKIP LOCKED)
      RETURNING ${CLAIMED}`;
    // Limited workflows: when nothing free is due, and now and then a slot kept for them.
    if ((free.length > 0 && !limitedDue) || free.length >= slots) return free.map(claimed);
    this.lastLimitedClaim = Date.now();
    const [, limited] = await this.db.$transaction([
      this.db.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK})`,
      this.db.$queryRaw<ClaimedRow[]>`
        UPDATE "WorkflowRun" AS r
           SET status = 'running', "leaseOwner" = ${this.id}, "leaseExpiresAt" = now() + make_interval(secs => ${lease}),
               "startedAt" = COALESCE(r."startedAt", now()), "wakeAt" = NULL
         WHERE r.id = (
           SELECT c.id FROM "WorkflowRun" AS c JOIN "Workflow" AS w ON w.id = c."workflowId"
            WHERE ${DUE} AND w."concurrencyLimit" IS NOT NULL
              -- a started run holds its workflow's slot until it finishes, waits included;
              -- only queued runs wait for a free slot
              AND (c.status <> 'queued' OR (
                   SELECT count(*) FROM "WorkflowRun" AS x
                    WHERE x."workflowId" = c."workflowId" AND x.status IN ('running', 'waiting')
                  ) < w."concurrencyLimit")
            ORDER BY c."createdAt"
            LIMIT 1
            FOR UPDATE OF c SKIP LOCKED)
        RETURNING ${CLAIMED}`,
    ]);
    return [...free, ...limited].map(claimed);
  }

  private async renewLeases(): Promise<void> {
    if (this.inflight.size === 0) return;
    await this.db.workflowRun.updateMany({
      where: { leaseOwner: this.id, status: "running" },
      data: { leaseExpiresAt: new Date(Date.now() + this.leaseMs) },
    });
  }

  private async heartbeat(): Promise<void> {
    await this.db.workerHeartbeat.upsert({
      where: { id: this.id },
      create: { id: this.id, hostname: os.hostname(), pid: process.pid },
      update: { lastSeenAt: new Date() },
    });
  }
}
