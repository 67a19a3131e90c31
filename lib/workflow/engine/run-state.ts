import type { Db, Tx } from "@/lib/db";
import { Prisma, type WorkflowRun, type WorkflowRunStep } from "@/lib/generated/prisma/client";
import type { WorkflowError } from "../errors";

// The one writer of a run's status and of what goes with it (lease, wakeAt, timings, the run's
// error): claim, admission under a concurrency limit, suspend, wake, finish, cancel, release on
// shutdown, abandon. Both hosts and the run service go through these functions, so a status
// change is written one way, and the concurrency limit is one rule under one lock.
// A new run is created queued by the run service (runs.ts); nothing else writes status.

export type RunEnd = "succeeded" | "failed";

const TERMINAL = ["succeeded", "failed", "cancelled"] as const;

const ownedBy = (leaseOwner: string | undefined) => (leaseOwner ? Prisma.sql`AND "leaseOwner" = ${leaseOwner}` : Prisma.empty);
const at3 = (at: Date | null) => Prisma.sql`${at}::timestamp(3)`;

/** Finishing a run that is running (and still the owner's): one statement, usable as a WITH clause. */
export function endRun({
  runId,
  leaseOwner,
  status,
  at,
  error,
}: {
  runId: string;
  leaseOwner?: string;
  status: RunEnd;
  at: Date;
  error?: WorkflowError;
}): Prisma.Sql {
  const message = error ? `${error.nodeId ? `${error.nodeId}: ` : ""}${error.message}` : null;
  return Prisma.sql`UPDATE "WorkflowRun" SET status = ${status}::"RunStatus", "finishedAt" = ${at3(at)}, "wakeAt" = NULL, "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
           "errorCode" = ${error?.code ?? null}, "errorMessage" = ${message}, "errorRemediation" = ${error?.remediation ?? null}
     WHERE id = ${runId} AND status = 'running' ${ownedBy(leaseOwner)}`;
}

/**
 * Parks a running run until wakeAt (null: until a waitpoint is completed). A decision recorded
 * while the run was still running set an earlier wakeAt (wakeRun): it is kept, so a decision at
 * any moment is never lost. Returns the wakeAt written, or null when the run is no longer ours.
 */
export async function suspendRun(
  db: Db,
  { runId, leaseOwner, wakeAt }: { runId: string; leaseOwner?: string; wakeAt: Date | null },
): Promise<{ wakeAt: Date | null } | null> {
  const rows = await db.$queryRaw<{ wakeAt: Date | null }[]>`
    UPDATE "WorkflowRun" SET status = 'waiting', "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
           "wakeAt" = CASE WHEN "wakeAt" IS NOT NULL AND (${at3(wakeAt)} IS NULL OR "wakeAt" < ${at3(wakeAt)}) THEN "wakeAt" ELSE ${at3(wakeAt)} END
     WHERE id = ${runId} AND status = 'running' ${ownedBy(leaseOwner)}
    RETURNING "wakeAt"`;
  return rows[0] ?? null;
}

/**
 * Something the run waits for happened (an approval was decided): it is due at `at`, whether it
 * is parked or still running on another branch (then its suspension keeps this wakeAt).
 */
export async function wakeRun(tx: Tx, runId: string, at: Date): Promise<void> {
  await tx.$executeRaw`
    UPDATE "WorkflowRun" SET "wakeAt" = CASE WHEN "wakeAt" IS NOT NULL AND "wakeAt" < ${at3(at)} THEN "wakeAt" ELSE ${at3(at)} END
     WHERE id = ${runId} AND status IN ('running', 'waiting')`;
}

/** Cancels a run that has not ended; false when it had. */
export async function cancelRunState(tx: Tx, runId: string, at: Date): Promise<boolean> {
  const { count } = await tx.workflowRun.updateMany({
    where: { id: runId, status: { notIn: [...TERMINAL] } },
    data: {
      status: "cancelled",
      finishedAt: at,
      wakeAt: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      errorCode: "E_CANCELLED",
      errorMessage: "Cancelled",
      errorRemediation: null,
    },
  });
  return count > 0;
}

/** A run whose Trigger.dev task gave up: failed, never left running. */
export async function abandonRunState(db: Db, runId: string, at: Date): Promise<void> {
  await db.workflowRun.updateMany({
    where: { id: runId, status: { in: ["queued", "running", "waiting"] } },
    data: {
      status: "failed",
      finishedAt: at,
      leaseOwner: null,
      leaseExpiresAt: null,
      wakeAt: null,
      errorCode: "E_INTERNAL",
      errorMessage: "The Trigger.dev task executing this run failed; see its logs there",
      errorRemediation: "Replay the run; if it fails again, check the task's logs on Trigger.dev",
    },
  });
}

/**
 * A stopping worker hands back the runs it still holds: due at once for any worker, and started
 * runs stay started (waiting, not queued), so they keep their concurrency slot and start time.
 */
export async function releaseRuns(db: Db, leaseOwner: string, at: Date): Promise<void> {
  await db.workflowRun.updateMany({
    where: { leaseOwner, status: "running" },
    data: { status: "waiting", wakeAt: at, leaseOwner: null, leaseExpiresAt: null },
  });
}

export async function renewLeases(db: Db, leaseOwner: string, leaseMs: number): Promise<void> {
  await db.$executeRaw`UPDATE "WorkflowRun" SET "leaseExpiresAt" = now() + make_interval(secs => ${leaseMs / 1000}) WHERE "leaseOwner" = ${leaseOwner} AND status = 'running'`;
}

// ───────────── claims ─────────────

/** `limited`: its workflow has a concurrency limit, so its end frees a slot other workers may be waiting for. */
export type ClaimedRun = { run: WorkflowRun; steps: WorkflowRunStep[]; limited: boolean };
type ClaimedRow = WorkflowRun & { steps: (Omit<WorkflowRunStep, "startedAt" | "finishedAt"> & { startedAt: string; finishedAt: string | null })[] };

// timestamp(3) columns hold UTC; json_agg renders them without a zone.
const utc = (value: string) => new Date(`${value}Z`);
const claimed =
  (limited: boolean) =>
  ({ steps, ...run }: ClaimedRow): ClaimedRun => ({
    run,
    steps: steps.map((step) => ({ ...step, startedAt: utc(step.startedAt), finishedAt: step.finishedAt === null ? null : utc(step.finishedAt) })),
    limited,
  });
// What a claim returns: the run's row, and its step records so far (none for a new run), so
// advancing it does not read either again.
const CLAIMED = Prisma.sql`r.*, (SELECT COALESCE(json_agg(s ORDER BY s.attempt), '[]') FROM "WorkflowRunStep" AS s WHERE s."runId" = r.id) AS steps`;

/** The runs a worker may take at `now` (the host's clock): queued, waiting and due, or running under an expired lease. Each branch matches an index. */
const due = (now: Date) =>
  Prisma.sql`((c.status = 'queued') OR (c.status = 'waiting' AND c."wakeAt" <= ${at3(now)}) OR (c.status = 'running' AND c."leaseExpiresAt" < now()))`;

/**
 * The concurrency limit, the same on both hosts: a started run holds its workflow's slot until it
 * finishes, waits included; a queued run starts only while a slot is free and no older run of its
 * workflow is queued (queued runs start in creation order). Checked under admissionLock;
 * `alias` names the run in the statement, beside its workflow `w`.
 */
const admitted = (alias: "c" | "r") => {
  const c = Prisma.raw(alias);
  return Prisma.sql`(${c}.status <> 'queued' OR w."concurrencyLimit" IS NULL OR (
    (SELECT count(*) FROM "WorkflowRun" AS x WHERE x."workflowId" = ${c}."workflowId" AND x.status IN ('running', 'waiting')) < w."concurrencyLimit"
    AND NOT EXISTS (SELECT 1 FROM "WorkflowRun" AS q WHERE q."workflowId" = ${c}."workflowId" AND q.status = 'queued' AND (q."createdAt", q.id) < (${c}."createdAt", ${c}.id))))`;
};
/** Admissions of one workflow's runs, from any host, one at a time. */
const admissionLock = (tx: Tx, workflowId: string) => tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${workflowId}))`;

const take = (owner: string, leaseSecs: number, now: Date) =>
  Prisma.sql`status = 'running', "leaseOwner" = ${owner}, "leaseExpiresAt" = now() + make_interval(secs => ${leaseSecs}), "startedAt" = COALESCE(r."startedAt", ${at3(now)}), "wakeAt" = NULL`;

/**
 * The embedded worker's claim: due runs of workflows without a concurrency limit in one batch
 * (FOR UPDATE SKIP LOCKED, so workers never take the same run), then, when nothing free was due
 * or `limitedDue` (a slot is kept for them), the oldest due run of a limited workflow, admitted
 * under that workflow's lock.
 */
export async function claimDueRuns(
  db: Db,
  { owner, leaseMs, now, slots, limitedDue }: { owner: string; leaseMs: number; now: Date; slots: number; limitedDue: boolean },
): Promise<ClaimedRun[]> {
  const lease = leaseMs / 1000;
  const free = await db.$queryRaw<ClaimedRow[]>`
    UPDATE "WorkflowRun" AS r SET ${take(owner, lease, now)}
     WHERE r.id IN (
       SELECT c.id FROM "WorkflowRun" AS c JOIN "Workflow" AS w ON w.id = c."workflowId"
        WHERE ${due(now)} AND w."concurrencyLimit" IS NULL
        ORDER BY c."createdAt"
        LIMIT ${limitedDue && slots > 1 ? slots - 1 : slots}
        FOR UPDATE OF c SKIP LOCKED)
    RETURNING ${CLAIMED}`;
  if ((free.length > 0 && !limitedDue) || free.length >= slots) return free.map(claimed(false));
  const [candidate] = await db.$queryRaw<{ id: string; workflowId: string }[]>`
    SELECT c.id, c."workflowId" FROM "WorkflowRun" AS c JOIN "Workflow" AS w ON w.id = c."workflowId"
     WHERE ${due(now)} AND w."concurrencyLimit" IS NOT NULL AND ${admitted("c")}
     ORDER BY c."createdAt" LIMIT 1`;
  if (!candidate) return free.map(claimed(false));
  const limitedRun = await db.$transaction(async (tx) => {
    await admissionLock(tx, candidate.workflowId);
    return tx.$queryRaw<ClaimedRow[]>`
      UPDATE "WorkflowRun" AS r SET ${take(owner, lease, now)}
       WHERE r.id IN (
         SELECT c.id FROM "WorkflowRun" AS c JOIN "Workflow" AS w ON w.id = c."workflowId"
          WHERE c.id = ${candidate.id} AND ${due(now)} AND ${admitted("c")}
          FOR UPDATE OF c SKIP LOCKED)
      RETURNING ${CLAIMED}`;
  });
  return [...free.map(claimed(false)), ...limitedRun.map(claimed(true))];
}

/** When the next run this worker could claim becomes due by the host's clock (null: none is parked with a time). */
export async function nextWakeAt(db: Db): Promise<Date | null> {
  const [row] = await db.$queryRaw<{ at: Date | null }[]>`SELECT min("wakeAt") AS at FROM "WorkflowRun" WHERE status = 'waiting' AND "wakeAt" IS NOT NULL`;
  return row?.at ?? null;
}

export type TaskClaim = "claimed" | "gone" | "queued";

/**
 * The Trigger.dev task's claim of its one run: queued or waiting, or already its own (a retried
 * attempt has the same owner). A queued run of a limited workflow is admitted by the same rule,
 * under the same lock, as on the embedded host. The lease spans a whole task attempt.
 */
export async function claimTaskRun(db: Db, runId: string, owner: string, now: Date): Promise<TaskClaim> {
  return db.$transaction(async (tx) => {
    const [run] = await tx.$queryRaw<{ status: string; leaseOwner: string | null; leaseLive: boolean; workflowId: string; limited: boolean }[]>`
      SELECT r.status, r."leaseOwner", COALESCE(r."leaseExpiresAt" > now(), false) AS "leaseLive", r."workflowId", w."concurrencyLimit" IS NOT NULL AS limited
        FROM "WorkflowRun" AS r JOIN "Workflow" AS w ON w.id = r."workflowId"
       WHERE r.id = ${runId}
         FOR UPDATE OF r`;
    if (!run || !["queued", "waiting", "running"].includes(run.status)) return "gone";
    if (run.status === "running" && run.leaseOwner !== owner && run.leaseLive) return "gone";
    if (run.limited) await admissionLock(tx, run.workflowId);
    const taken = await tx.$executeRaw`
      UPDATE "WorkflowRun" AS r SET ${take(owner, 3600, now)}
        FROM "Workflow" AS w
       WHERE r.id = ${runId} AND w.id = r."workflowId" AND ${admitted("r")}`;
    return taken > 0 ? "claimed" : "queued";
  });
}
