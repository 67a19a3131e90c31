import { audit, auditActor } from "@/lib/audit";
import { requireRole, type Caller } from "@/lib/auth/roles";
import type { Db } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import { Prisma, type RunEffect, type RunStatus, type RunUndo } from "@/lib/generated/prisma/client";
import { logger } from "@/lib/log";
import { systemClock, type Clock } from "./engine/clock";
import { toWorkflowError, WorkflowError } from "./errors";
import { runHost } from "./hosts";
import type { NodeCatalog } from "./node-types";

// Undoing a run's effects. People ask for it (previewUndo, requestUndo: the API and the run
// page); a worker does it (performUndo), on either host, under a lease on the RunUndo row: a
// worker that dies mid-undo has its lease expire and another one resumes. Effects are undone in
// reverse order, each through the connection that made it and by its node type's undo; each is
// marked undone (status undone, undoneAt, the request that did it) in its own write, so a resumed
// undo skips what is done. The one effect in flight at a crash is undone again, which is harmless:
// every undo counts a thing already gone as undone. A failure is recorded on its effect, with the
// error's remediation, and the others go on; asking again retries only what is left. A provider's
// rate limit is a durable wait instead: the request is parked (queued with wakeAt) and resumed
// when the provider asked, up to MAX_RATE_LIMIT_WAITS times.

const FINISHED: RunStatus[] = ["succeeded", "failed", "cancelled"];
const OPEN = ["queued", "running"] as const;
const DEFAULT_LEASE_MS = 60_000;
export const MAX_RATE_LIMIT_WAITS = 10;

export type UndoState =
  /** Will be undone through the provider's API. */
  | "to_undo"
  | "undone"
  /** Its last undo failed (error says why); asking again retries it. */
  | "failed"
  /** A person has to undo it (strategy manual, or automatic undo is not possible). */
  | "manual"
  /** Nothing happened outside Flowline, or the action leaves nothing to undo. */
  | "nothing";

export type EffectUndoView = {
  id: string;
  nodeId: string;
  nodeName: string;
  /** The node type, e.g. "slack.send_message", and its label. */
  action: string;
  actionLabel: string;
  strategy: RunEffect["undoStrategy"];
  /** What undo will do (or did), in words; for manual ones what a person has to undo. */
  description: string;
  externalRef: string | null;
  link: string | null;
  state: UndoState;
  undoneAt: string | null;
  undoneBy: string | null;
  error: { code: string; message: string; remediation: string | null } | null;
};

export type UndoRequestView = { id: string; status: RunUndo["status"]; requestedBy: string; createdAt: string; finishedAt: string | null };

export type UndoPreview = {
  runId: string;
  runStatus: RunStatus;
  /** Whether undo can be asked for now; when not, `reason` says why. */
  canUndo: boolean;
  reason: string | null;
  /** In reverse order: the order undo goes in. */
  effects: EffectUndoView[];
  /** The latest request, if any. */
  request: UndoRequestView | null;
};

type EffectRow = RunEffect & { step: { input: unknown; output: unknown } | null; undo: { requestedBy: string } | null };

function stateOf(effect: RunEffect): UndoState {
  if (effect.status === "undone") return "undone";
  // An effect whose outcome nobody knows (a crash mid-call) may exist: only a person can check.
  if (effect.status === "unknown") return "manual";
  if (effect.status !== "completed") return "nothing";
  if (effect.canUndo) return effect.undoErrorCode ? "failed" : "to_undo";
  return effect.undoStrategy === "none" ? "nothing" : "manual";
}

/** The effect's undo as people read it: the node type's own words, or one from its strategy. */
function view(catalog: NodeCatalog, names: Map<string, string>, effect: EffectRow): EffectUndoView {
  const type = catalog.get(effect.action);
  const state = stateOf(effect);
  const described = type?.executor?.undo?.describe?.({ externalRef: effect.externalRef, input: effect.step?.input, output: effect.step?.output });
  const description =
    effect.status === "unknown"
      ? `Check by hand whether "${type?.label ?? effect.action}" happened: the worker stopped during the call${described ? ` (${described.text})` : ""}`
      : (described?.text ?? (state === "manual" ? `Undo "${type?.label ?? effect.action}" by hand` : "Nothing to undo"));
  return {
    id: effect.id,
    nodeId: effect.nodeId,
    nodeName: names.get(effect.nodeId) ?? effect.nodeId,
    action: effect.action,
    actionLabel: type?.label ?? effect.action,
    strategy: effect.undoStrategy,
    description,
    externalRef: effect.externalRef,
    link: described?.link ?? null,
    state,
    undoneAt: effect.undoneAt?.toISOString() ?? null,
    undoneBy: effect.undoneAt ? (effect.undo?.requestedBy ?? null) : null,
    error:
      effect.undoErrorCode && state === "failed"
        ? { code: effect.undoErrorCode, message: effect.undoErrorMessage ?? "", remediation: effect.undoErrorRemediation }
        : null,
  };
}

/** Reverse order of how they happened: later effects may depend on earlier ones. */
const reverseOrder = [{ createdAt: "desc" as const }, { id: "desc" as const }];

async function nodeNames(db: Db, run: { definition: unknown; versionId: string | null }): Promise<Map<string, string>> {
  const definition =
    run.definition ??
    (run.versionId ? (await db.workflowVersion.findUnique({ where: { id: run.versionId }, select: { definition: true } }))?.definition : null);
  const nodes = (definition as { nodes?: { id?: unknown; name?: unknown }[] } | null)?.nodes;
  return new Map(
    (Array.isArray(nodes) ? nodes : []).flatMap((n) => (typeof n?.id === "string" && typeof n.name === "string" ? [[n.id, n.name] as const] : [])),
  );
}

const requestView = (undo: RunUndo): UndoRequestView => ({
  id: undo.id,
  status: undo.status,
  requestedBy: undo.requestedBy,
  createdAt: undo.createdAt.toISOString(),
  finishedAt: undo.finishedAt?.toISOString() ?? null,
});

/** Each effect of the run, what undo will do about it, and where the latest undo stands (admins). */
export async function previewUndo(db: Db, catalog: NodeCatalog, caller: Caller, runId: string): Promise<UndoPreview> {
  requireRole(caller, "admin");
  const run = await db.workflowRun.findFirst({
    where: { id: runId, companyId: caller.companyId },
    select: { id: true, status: true, definition: true, versionId: true },
  });
  if (!run) throw notFound("Run");
  const [effects, latest, names] = await Promise.all([
    db.runEffect.findMany({
      where: { runId },
      orderBy: reverseOrder,
      include: { step: { select: { input: true, output: true } }, undo: { select: { requestedBy: true } } },
    }),
    db.runUndo.findFirst({ where: { runId }, orderBy: { createdAt: "desc" } }),
    nodeNames(db, run),
  ]);
  const finished = FINISHED.includes(run.status);
  return {
    runId,
    runStatus: run.status,
    canUndo: finished && !(latest && (OPEN as readonly string[]).includes(latest.status)),
    reason: finished
      ? latest && (OPEN as readonly string[]).includes(latest.status)
        ? "An undo of this run is already under way"
        : null
      : stillRunning(run.status),
    effects: effects.map((effect) => view(catalog, names, effect)),
    request: latest ? requestView(latest) : null,
  };
}

const stillRunning = (status: RunStatus) => `The run is still ${status}: only a finished run (succeeded, failed or cancelled) can be undone`;

/** Who asked, as the run page shows it ("Undone … by ana@example.com"). */
async function requesterLabel(db: Db, caller: Caller): Promise<string> {
  if (caller.userId) {
    const user = await db.user.findUnique({ where: { id: caller.userId }, select: { email: true, name: true } });
    return user?.email ?? user?.name ?? "a member";
  }
  if (caller.apiKeyId) {
    const key = await db.apiKey.findUnique({ where: { id: caller.apiKeyId }, select: { name: true } });
    return `API key ${key?.name ?? caller.apiKeyId}`;
  }
  return "someone";
}

/**
 * Queues the undo of a finished run's effects that are not undone yet (a failed undo is retried).
 * One request at a time per run: asking while one is open returns it; asking when nothing is left
 * to undo queues nothing.
 */
export async function requestUndo(db: Db, catalog: NodeCatalog, caller: Caller, runId: string): Promise<UndoPreview & { queued: boolean }> {
  requireRole(caller, "admin");
  const requestedBy = await requesterLabel(db, caller);
  const queued = await db.$transaction(async (tx) => {
    // The run's row lock makes concurrent requests for one run take turns.
    const [run] = await tx.$queryRaw<{ status: RunStatus }[]>`
      SELECT status FROM "WorkflowRun" WHERE id = ${runId} AND "companyId" = ${caller.companyId} FOR UPDATE`;
    if (!run) throw notFound("Run");
    if (!FINISHED.includes(run.status)) {
      throw new AppError("conflict", stillRunning(run.status), { remediation: "Wait for it to finish, or cancel it, then undo its effects." });
    }
    const open = await tx.runUndo.findFirst({ where: { runId, status: { in: [...OPEN] } } });
    if (open) return null;
    const left = await tx.runEffect.count({ where: { runId, status: "completed", canUndo: true, undoneAt: null } });
    if (left === 0) return null;
    const undo = await tx.runUndo.create({
      data: { companyId: caller.companyId, runId, requestedBy, requestedById: caller.userId, requestedByKey: caller.apiKeyId },
    });
    await audit(tx, auditActor(caller), "run.undo_requested", "run", runId, { effects: left, undo: undo.id });
    return undo;
  });
  if (queued) await runHost().undo(db, queued.id);
  return { ...(await previewUndo(db, catalog, caller, runId)), queued: queued !== null };
}

// ───────────── the worker's side ─────────────

export type UndoWorkerOptions = { leaseMs?: number; signal?: AbortSignal; clock?: Clock };

/** Queued and due by the host's clock (a rate-limited request waits for its wakeAt). */
const dueAt = (now: Date) => Prisma.sql`(status = 'queued' AND ("wakeAt" IS NULL OR "wakeAt" <= ${now}::timestamp(3)))`;
const take = (owner: string, leaseMs: number, now: Date) =>
  Prisma.sql`status = 'running', "leaseOwner" = ${owner}, "leaseExpiresAt" = now() + make_interval(secs => ${leaseMs / 1000}),
             "startedAt" = COALESCE("startedAt", ${now}::timestamp(3)), "wakeAt" = NULL`;

/** The embedded worker's claim: the oldest due request that no live lease holds. */
export async function claimUndo(db: Db, owner: string, leaseMs = DEFAULT_LEASE_MS, now: Date = new Date()): Promise<string | null> {
  const [row] = await db.$queryRaw<{ id: string }[]>`
    UPDATE "RunUndo" SET ${take(owner, leaseMs, now)}
     WHERE id = (SELECT id FROM "RunUndo"
                  WHERE ${dueAt(now)} OR (status = 'running' AND "leaseExpiresAt" < now())
                  ORDER BY "createdAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id`;
  return row?.id ?? null;
}

/** The Trigger.dev task's claim of its one request: due, and free or already its own (a retried attempt). */
export async function claimUndoById(db: Db, undoId: string, owner: string, now: Date, leaseMs = DEFAULT_LEASE_MS): Promise<boolean> {
  const taken = await db.$executeRaw`
    UPDATE "RunUndo" SET ${take(owner, leaseMs, now)}
     WHERE id = ${undoId} AND (${dueAt(now)} OR (status = 'running' AND ("leaseOwner" = ${owner} OR "leaseExpiresAt" < now())))`;
  return taken > 0;
}

/** A stopping worker hands back the request it holds, for any worker to resume. */
export async function releaseUndos(db: Db, owner: string): Promise<void> {
  await db.runUndo.updateMany({ where: { leaseOwner: owner, status: "running" }, data: { status: "queued", leaseOwner: null, leaseExpiresAt: null } });
}

/** A request whose Trigger.dev task gave up: failed, so it can be asked again (what was undone stays undone). */
export async function abandonUndo(db: Db, undoId: string, clock: Clock = systemClock): Promise<void> {
  await db.runUndo.updateMany({
    where: { id: undoId, status: { in: [...OPEN] } },
    data: { status: "failed", finishedAt: clock.now(), leaseOwner: null, leaseExpiresAt: null },
  });
}

/** Renews the lease; false when another worker took the request over (or it ended). */
async function stillOurs(db: Db, undoId: string, owner: string, leaseMs: number): Promise<boolean> {
  const renewed = await db.$executeRaw`
    UPDATE "RunUndo" SET "leaseExpiresAt" = now() + make_interval(secs => ${leaseMs / 1000})
     WHERE id = ${undoId} AND status = 'running' AND "leaseOwner" = ${owner}`;
  return renewed > 0;
}

function cannotUndo(effect: RunEffect, needsConnection: boolean): WorkflowError | null {
  if (needsConnection && !effect.credentialId) {
    return new WorkflowError("E_CREDENTIAL_MISSING", {
      message: "The connection that made this effect was removed, so it cannot be undone through it",
      remediation: "Undo it by hand in the provider, using the reference shown",
    });
  }
  if (!effect.externalRef) {
    return new WorkflowError("E_VALIDATION", {
      message: "The step recorded no reference to what it made",
      remediation: "Undo it by hand in the provider",
    });
  }
  return null;
}

export type UndoOutcome = "succeeded" | "failed" | "lost" | { waitUntil: Date };

/**
 * Executes a claimed request: every effect of its run still to undo, newest first. Returns the
 * request's final status, "lost" when another worker took it over, or the time a provider's
 * rate limit parked it until (the host resumes it then).
 */
export async function performUndo(db: Db, catalog: NodeCatalog, undoId: string, owner: string, options: UndoWorkerOptions = {}): Promise<UndoOutcome> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const clock = options.clock ?? systemClock;
  const signal = options.signal ?? new AbortController().signal;
  const undo = await db.runUndo.findUnique({ where: { id: undoId }, include: { run: { select: { companyId: true, startedById: true } } } });
  if (!undo || undo.leaseOwner !== owner) return "lost";
  const effects = await db.runEffect.findMany({
    where: { runId: undo.runId, status: "completed", canUndo: true, undoneAt: null },
    orderBy: reverseOrder,
  });
  for (const effect of effects) {
    if (signal.aborted || !(await stillOurs(db, undoId, owner, leaseMs))) return "lost";
    const spec = catalog.get(effect.action)?.executor?.undo;
    const undoRun = spec?.run;
    try {
      const refused = cannotUndo(effect, spec?.needsConnection ?? true);
      if (refused) throw refused;
      if (!undoRun) throw new WorkflowError("E_VALIDATION", { message: `${effect.action} cannot be undone automatically`, remediation: "Undo it by hand" });
      await undoRun({
        db,
        companyId: undo.run.companyId,
        userId: undo.run.startedById,
        connectionId: effect.credentialId,
        externalRef: effect.externalRef!,
        signal,
      });
      await db.runEffect.updateMany({
        where: { id: effect.id, undoneAt: null },
        data: { status: "undone", undoneAt: clock.now(), undoId, undoErrorCode: null, undoErrorMessage: null, undoErrorRemediation: null },
      });
    } catch (thrown) {
      const error = toWorkflowError(thrown);
      if (!(thrown instanceof WorkflowError)) logger.error({ err: thrown, undoId, effectId: effect.id }, "undoing an effect failed unexpectedly");
      const waitUntil =
        error.code === "E_RATE_LIMITED" && undo.waits < MAX_RATE_LIMIT_WAITS ? new Date(clock.now().getTime() + (error.retryAfterMs ?? 1000)) : null;
      await db.runEffect.updateMany({
        where: { id: effect.id, undoneAt: null },
        data: {
          undoId,
          undoErrorCode: error.code,
          undoErrorMessage: error.message,
          undoErrorRemediation: waitUntil
            ? `Flowline tries again at ${waitUntil.toISOString()}`
            : (error.remediation ?? "Try the undo again; if it keeps failing, undo it by hand in the provider"),
        },
      });
      if (waitUntil) return park(db, undoId, owner, waitUntil);
    }
  }
  return finishUndo(db, undo, owner, clock);
}

/** The provider asked to wait: the request is queued again, due at `waitUntil`, for any worker. */
async function park(db: Db, undoId: string, owner: string, waitUntil: Date): Promise<UndoOutcome> {
  const { count } = await db.runUndo.updateMany({
    where: { id: undoId, status: "running", leaseOwner: owner },
    data: { status: "queued", wakeAt: waitUntil, waits: { increment: 1 }, leaseOwner: null, leaseExpiresAt: null },
  });
  return count > 0 ? { waitUntil } : "lost";
}

async function finishUndo(db: Db, undo: RunUndo, owner: string, clock: Clock): Promise<UndoOutcome> {
  return db.$transaction(async (tx) => {
    const [effects, failed] = await Promise.all([
      tx.runEffect.findMany({ where: { runId: undo.runId, undoId: undo.id }, select: { status: true } }),
      tx.runEffect.count({ where: { runId: undo.runId, status: "completed", canUndo: true, undoneAt: null } }),
    ]);
    const manual = await tx.runEffect.count({
      where: { runId: undo.runId, OR: [{ status: "unknown" }, { status: "completed", canUndo: false, undoStrategy: "manual" }] },
    });
    const status = failed > 0 ? "failed" : "succeeded";
    const { count } = await tx.runUndo.updateMany({
      where: { id: undo.id, status: "running", leaseOwner: owner },
      data: { status, finishedAt: clock.now(), leaseOwner: null, leaseExpiresAt: null },
    });
    if (count === 0) return "lost";
    await audit(tx, { companyId: undo.companyId, actorUserId: undo.requestedById, actorApiKey: undo.requestedByKey }, "run.undone", "run", undo.runId, {
      undo: undo.id,
      undone: effects.filter((e) => e.status === "undone").length,
      failed,
      manual,
    });
    return status;
  });
}
