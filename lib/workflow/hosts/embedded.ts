import { randomBytes } from "node:crypto";
import os from "node:os";
import type { Db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { logger } from "@/lib/log";
import { advanceRun, type AdvanceResult } from "../engine/interpreter";
import { notifyRunsReady, onRunsReady } from "../engine/signal";

// The embedded host: a worker loop inside the app process (or `npm run worker`). It claims due
// runs with FOR UPDATE SKIP LOCKED and a lease, so several workers on one Postgres server never
// run the same run at once; a worker that dies has its leases expire and its runs continue
// elsewhere. Parked runs (waits, approvals, backoff) are rows with wakeAt: they cost no CPU.

export type WorkerOptions = {
  /** Runs advanced at the same time. */
  concurrency?: number;
  leaseMs?: number;
  /** How often to look for due runs when nothing nudged the worker. */
  pollMs?: number;
  heartbeatMs?: number;
};

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
  private loop: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | null = null;
  /** Outcome of each advance, for tests and benchmarks that wait for runs. */
  onAdvanced?: (runId: string, result: AdvanceResult) => void;

  constructor(
    private readonly db: Db,
    options: WorkerOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 500;
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
  }

  async start(): Promise<void> {
    await this.heartbeat();
    this.timers.push(setInterval(() => void this.heartbeat().catch((error: unknown) => logger.warn({ err: error }, "worker heartbeat failed")), this.heartbeatMs));
    this.timers.push(setInterval(() => void this.renewLeases().catch((error: unknown) => logger.warn({ err: error }, "lease renewal failed")), this.leaseMs / 3));
    for (const timer of this.timers) timer.unref();
    this.unsubscribe = onRunsReady(() => this.wake?.());
    this.loop = this.run();
    logger.info({ worker: this.id, concurrency: this.concurrency }, "embedded worker started");
  }

  /** Stops claiming, lets runs in flight reach their next step boundary, and hands back their leases. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.abort.abort();
    this.wake?.();
    for (const timer of this.timers) clearInterval(timer);
    this.unsubscribe?.();
    await this.loop;
    await Promise.allSettled(this.inflight.values());
    await this.db.workflowRun.updateMany({ where: { leaseOwner: this.id, status: "running" }, data: { status: "queued", leaseOwner: null, leaseExpiresAt: null } });
    await this.db.workerHeartbeat.deleteMany({ where: { id: this.id } });
    logger.info({ worker: this.id }, "embedded worker stopped");
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let claimed: string[] = [];
      if (this.inflight.size < this.concurrency) {
        try {
          claimed = await this.claim(this.concurrency - this.inflight.size);
        } catch (error) {
          logger.error({ err: error }, "claiming runs failed");
        }
      }
      if (claimed.length > 0) {
        for (const id of claimed) this.spawn(id);
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private spawn(runId: string) {
    const work = advanceRun(this.db, runId, { leaseOwner: this.id, signal: this.abort.signal })
      .then((result) => {
        this.onAdvanced?.(runId, result);
        // A finished run may free a concurrency slot of its workflow.
        if (result.kind === "finished") notifyRunsReady();
      })
      .catch((error: unknown) => logger.error({ err: error, runId }, "advancing a run failed; its lease will expire and it will be retried"))
      .finally(() => {
        this.inflight.delete(runId);
        this.wake?.();
      });
    this.inflight.set(runId, work);
  }

  /**
   * Takes due runs: queued, waiting with wakeAt passed, or running under an expired lease.
   * Runs of workflows without a concurrency limit are claimed in batches by one statement;
   * workflows with a limit are claimed one at a time under an advisory lock, so the limit holds
   * across workers.
   */
  private async claim(slots: number): Promise<string[]> {
    const lease = this.leaseMs / 1000;
    const free = await this.db.$queryRaw<{ id: string }[]>`
      UPDATE "WorkflowRun" AS r
         SET status = 'running', "leaseOwner" = ${this.id}, "leaseExpiresAt" = now() + make_interval(secs => ${lease}),
             "startedAt" = COALESCE(r."startedAt", now()), "wakeAt" = NULL
       WHERE r.id IN (
         SELECT c.id FROM "WorkflowRun" AS c JOIN "Workflow" AS w ON w.id = c."workflowId"
          WHERE ${DUE} AND w."concurrencyLimit" IS NULL
          ORDER BY c."createdAt"
          LIMIT ${slots}
          FOR UPDATE OF c SKIP LOCKED)
      RETURNING r.id`;
    if (free.length > 0) return free.map((row) => row.id);
    const [, limited] = await this.db.$transaction([
      this.db.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK})`,
      this.db.$queryRaw<{ id: string }[]>`
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
        RETURNING r.id`,
    ]);
    return limited.map((row) => row.id);
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
