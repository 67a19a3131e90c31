import { getEnv } from "@/lib/config/env";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { systemClock, type Clock } from "@/lib/workflow/engine/clock";
import { recordRejected } from "./intake";

// A flood of deliveries to one workflow (its webhook URL, its inbound address) is answered 429
// before it costs the database anything: a token bucket per workflow, in this process. The
// bucket is taken before the workflow is even looked up, so forged or unsigned floods are bounded
// too. Refusals reach the trigger history as at most one row per workflow per second, which the
// end of that second updates with how many were refused, so a flood cannot fill InboundEvent.
// Why in-process and not in the database: docs/architecture.md, Triggers.

export type IntakeLimits = { ratePerSecond: number; burst: number };

type Bucket = { tokens: number; at: number };
type Tally = { workflowId: string; triggerType: string; source: string; since: number; refused: number; written: number; row: Promise<string | null> };

/** Past this many buckets, full ones (idle workflows, or ids that are no workflow) are forgotten. */
const MAX_BUCKETS = 10_000;
const TALLY_MS = 1_000;

export class IntakeLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly tallies = new Map<string, Tally>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    readonly limits: IntakeLimits,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Takes one delivery's token, or says in how many seconds the next one is there. */
  take(workflowId: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.clock.now().getTime();
    const { ratePerSecond, burst } = this.limits;
    const bucket = this.buckets.get(workflowId) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) * ratePerSecond) / 1000);
    bucket.at = now;
    if (!this.buckets.has(workflowId)) {
      if (this.buckets.size >= MAX_BUCKETS) this.forgetFull(now);
      this.buckets.set(workflowId, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSecond)) };
  }

  /**
   * Takes a token, or answers the 429 to throw (after noting the refusal for the history). `db`
   * is only written to at the first refusal of a second and at its end.
   */
  async admit(db: Db, delivery: { workflowId: string; triggerType: string; source: string; what: string }): Promise<AppError | null> {
    const taken = this.take(delivery.workflowId);
    if (taken.ok) return null;
    await this.noteRefusal(db, delivery);
    return new AppError("rate_limited", `This workflow receives at most ${this.describe()}; this ${delivery.what} was refused and not recorded`, {
      remediation: `Send it again after ${taken.retryAfterSeconds} s (the Retry-After header); nothing of it was kept, so a retry starts its run once`,
      retryAfterSeconds: taken.retryAfterSeconds,
    });
  }

  /** Writes the refusal counts of the seconds still open (tests; a timer does it otherwise). */
  async flush(db: Db): Promise<void> {
    for (const [workflowId, tally] of this.tallies) this.track(this.writeTally(db, workflowId, tally));
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private describe() {
    return `${this.limits.ratePerSecond} deliveries per second (bursts of ${this.limits.burst})`;
  }

  private reason(refused: number) {
    return `Rate limited: ${refused} ${refused === 1 ? "delivery" : "deliveries"} refused with 429 within a second (limit ${this.describe()})`;
  }

  private async noteRefusal(db: Db, delivery: { workflowId: string; triggerType: string; source: string }): Promise<void> {
    const now = this.clock.now().getTime();
    const open = this.tallies.get(delivery.workflowId);
    if (open && now - open.since < TALLY_MS) {
      open.refused += 1;
      return;
    }
    const tally: Tally = { ...delivery, since: now, refused: 1, written: 1, row: this.insertRow(db, delivery) };
    this.tallies.set(delivery.workflowId, tally);
    this.clock.at(new Date(now + TALLY_MS), () => this.track(this.writeTally(db, delivery.workflowId, tally)));
    await tally.row;
  }

  private async insertRow(db: Db, delivery: { workflowId: string; triggerType: string; source: string }): Promise<string | null> {
    // Refusals never fail the answer: a history row that cannot be written is logged, not thrown.
    try {
      const workflow = await db.workflow.findUnique({ where: { id: delivery.workflowId }, select: { companyId: true } });
      if (!workflow) return null;
      return await recordRejected(db, { ...delivery, companyId: workflow.companyId, reason: this.reason(1), payload: { refused: 1, limit: this.limits } });
    } catch (error) {
      logger.warn({ err: error, workflowId: delivery.workflowId }, "could not record a rate-limit refusal in the trigger history");
      return null;
    }
  }

  private async writeTally(db: Db, workflowId: string, tally: Tally): Promise<void> {
    if (this.tallies.get(workflowId) === tally) this.tallies.delete(workflowId);
    const id = await tally.row;
    if (!id || tally.refused === tally.written) return;
    const refused = tally.refused;
    tally.written = refused;
    await db.inboundEvent
      .update({ where: { id }, data: { reason: this.reason(refused), payload: { refused, limit: this.limits } } })
      .catch((error: unknown) => logger.warn({ err: error, workflowId }, "could not update a rate-limit refusal count in the trigger history"));
  }

  private track(work: Promise<unknown>) {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private forgetFull(now: number) {
    for (const [id, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) * this.limits.ratePerSecond) / 1000 >= this.limits.burst) this.buckets.delete(id);
    }
  }
}

// One limiter per process (kept on globalThis: Next.js may evaluate this module more than once).
const holder = globalThis as unknown as { __flowlineIntakeLimiter?: IntakeLimiter };

export function intakeLimiter(): IntakeLimiter {
  const env = getEnv();
  holder.__flowlineIntakeLimiter ??= new IntakeLimiter({ ratePerSecond: env.FLOWLINE_INTAKE_RATE, burst: env.FLOWLINE_INTAKE_BURST });
  return holder.__flowlineIntakeLimiter;
}

/** For tests: this process's limiter, e.g. with smaller limits and a clock the test moves. */
export function setIntakeLimiter(limiter: IntakeLimiter | undefined): void {
  holder.__flowlineIntakeLimiter = limiter;
}
