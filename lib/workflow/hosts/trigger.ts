import { createHash } from "node:crypto";
import { configure, idempotencyKeys, runs, task, tasks, wait } from "@trigger.dev/sdk";
import { getEnv } from "@/lib/config/env";
import type { Db } from "@/lib/db";
import { logger } from "@/lib/log";
import { getDb } from "@/lib/db";
import { advanceRun } from "../engine/interpreter";
import type { NodeCatalog } from "../node-types";
import type { RunHost } from "./index";

// The Trigger.dev host. In the app it triggers one `workflow-runner` task per run (idempotency key
// per run) and completes the waitpoint token of a decided approval. Inside the task it drives the
// same interpreter as the embedded worker, writing the same step records: a durable sleep (WAIT,
// retry backoff, rate limit) is wait.until, an approval is a waitpoint token the task waits on.
// The database stays the source of truth: the token only wakes the task, which then reads the
// decision (or the timeout) from the Waitpoint row.

export const WORKFLOW_RUNNER_TASK = "workflow-runner";
export type WorkflowRunnerPayload = { runId: string };

/** Points the SDK at the configured Trigger.dev API with our validated settings. */
function configureClient() {
  const env = getEnv();
  configure({ accessToken: env.TRIGGER_SECRET_KEY, ...(env.TRIGGER_API_URL ? { baseURL: env.TRIGGER_API_URL } : {}) });
}

async function dispatch(db: Db, runId: string): Promise<void> {
  configureClient();
  // Global scope: the same run always maps to the same key, wherever it is dispatched from.
  const idempotencyKey = await idempotencyKeys.create(["flowline-run", runId], { scope: "global" });
  const handle = await tasks.trigger<ReturnType<typeof defineWorkflowRunner>>(
    WORKFLOW_RUNNER_TASK,
    { runId },
    { idempotencyKey, tags: [`run_${runId}`] },
    // Briefly: the caller (a start request) is waiting; the dispatcher retries a run left queued.
    { retry: { maxAttempts: 2, minTimeoutInMs: 200, maxTimeoutInMs: 500 } },
  );
  await db.workflowRun.updateMany({ where: { id: runId, externalRunId: null }, data: { externalRunId: handle.id } });
}

export const triggerHost: RunHost = {
  kind: "trigger",
  async enqueue(db, runIds) {
    for (const runId of runIds) {
      // A run that could not be handed over stays queued; the dispatcher tries again.
      await dispatch(db, runId).catch((error: unknown) => logger.warn({ err: error, runId }, "triggering the workflow-runner task failed; will retry"));
    }
  },
  async resume(db, waitpointId, result) {
    const waitpoint = await db.waitpoint.findUnique({ where: { id: waitpointId }, select: { externalId: true, runId: true } });
    // No token yet: the task has not started waiting, and will see the decision when it tries.
    if (!waitpoint?.externalId) return;
    configureClient();
    await wait.completeToken(waitpoint.externalId, result).catch((error: unknown) =>
      logger.error({ err: error, runId: waitpoint.runId, waitpointId }, "completing the Trigger.dev waitpoint token failed; the run resumes at its timeout"),
    );
  },
  async cancelled(db, runId) {
    const run = await db.workflowRun.findUnique({ where: { id: runId }, select: { externalRunId: true } });
    if (!run?.externalRunId) return;
    configureClient();
    // Best effort: a task that keeps running finds the run cancelled at its next step and stops.
    await runs.cancel(run.externalRunId).catch((error: unknown) => logger.warn({ err: error, runId }, "cancelling the Trigger.dev run failed"));
  },
};

/**
 * Hands queued runs that never reached Trigger.dev (it was unreachable when they started) to it
 * again. Runs in the app process while this host is selected.
 */
export function startTriggerDispatcher(db: Db, options: { intervalMs?: number; graceMs?: number } = {}): () => void {
  const graceMs = options.graceMs ?? 10_000;
  const timer = setInterval(() => {
    void (async () => {
      const stuck = await db.workflowRun.findMany({
        where: { status: "queued", externalRunId: null, createdAt: { lt: new Date(Date.now() - graceMs) } },
        select: { id: true },
        orderBy: { createdAt: "asc" },
        take: 100,
      });
      await triggerHost.enqueue(
        db,
        stuck.map((run) => run.id),
      );
    })().catch((error: unknown) => logger.warn({ err: error }, "re-dispatching runs to Trigger.dev failed"));
  }, options.intervalMs ?? 15_000);
  timer.unref();
  return () => clearInterval(timer);
}

type Claim = "claimed" | "gone" | "queued";
const ADMISSION_POLL_MAX_MS = 30_000;

/**
 * Takes the run for this task run: queued or waiting, or already ours (a retried attempt).
 * A queued run of a workflow with a concurrency limit is admitted only when a slot is free and
 * no older run of that workflow is queued, so queued runs start in order.
 */
async function claimRun(db: Db, runId: string, owner: string): Promise<Claim> {
  return db.$transaction(async (tx) => {
    const [run] = await tx.$queryRaw<{ status: string; leaseOwner: string | null; leaseLive: boolean; workflowId: string; concurrencyLimit: number | null; createdAt: Date }[]>`
      SELECT r.status, r."leaseOwner", COALESCE(r."leaseExpiresAt" > now(), false) AS "leaseLive", r."workflowId", w."concurrencyLimit", r."createdAt"
        FROM "WorkflowRun" AS r JOIN "Workflow" AS w ON w.id = r."workflowId"
       WHERE r.id = ${runId}
         FOR UPDATE OF r`;
    if (!run || !["queued", "waiting", "running"].includes(run.status)) return "gone";
    if (run.status === "running" && run.leaseOwner !== owner && run.leaseLive) return "gone";
    if (run.status === "queued" && run.concurrencyLimit !== null) {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${run.workflowId}))`;
      const [load] = await tx.$queryRaw<{ busy: number; ahead: number }[]>`
        SELECT count(*) FILTER (WHERE status IN ('running', 'waiting'))::int AS busy,
               count(*) FILTER (WHERE status = 'queued' AND ("createdAt", id) < (${run.createdAt}, ${runId}))::int AS ahead
          FROM "WorkflowRun" WHERE "workflowId" = ${run.workflowId}`;
      if (load && (load.busy >= run.concurrencyLimit || load.ahead > 0)) return "queued";
    }
    // The lease spans a whole task attempt (Trigger.dev's maxDuration); a retried attempt has the same owner.
    await tx.$executeRaw`
      UPDATE "WorkflowRun"
         SET status = 'running', "leaseOwner" = ${owner}, "leaseExpiresAt" = now() + interval '1 hour',
             "startedAt" = COALESCE("startedAt", now()), "wakeAt" = NULL
       WHERE id = ${runId}`;
    return "claimed";
  });
}

/**
 * Parks the task on one waitpoint token for the open approvals until one is decided or the run's
 * next wake-up time (an approval's timeout, a WAIT on another branch, the run's time limit).
 */
async function waitForDecision(db: Db, runId: string, waitpointIds: string[], wakeAt: Date | null): Promise<void> {
  // A token per (approvals, deadline): a later wait on the same approvals gets a fresh one.
  const idempotencyKey = createHash("sha256").update(`${runId}:${[...waitpointIds].sort().join(",")}:${wakeAt?.toISOString() ?? ""}`).digest("hex");
  const token = await wait.createToken({ idempotencyKey, ...(wakeAt ? { timeout: wakeAt } : {}), tags: [`run_${runId}`] });
  // Stored only on approvals still open: one decided before the token was stored found no token
  // to complete, so the task must not wait for one.
  const { count } = await db.waitpoint.updateMany({ where: { id: { in: waitpointIds }, completedAt: null }, data: { externalId: token.id } });
  if (count < waitpointIds.length) return;
  // Decided or timed out, the interpreter reads the outcome from the Waitpoint rows.
  const outcome = await wait.forToken(token);
  // A token that timed out by Trigger.dev's clock a little before ours would be handed back at
  // once (same idempotency key) until ours catches up: sleep off the difference instead.
  if (!outcome.ok && wakeAt && wakeAt > new Date()) await wait.until({ date: wakeAt });
}

/** The body of the workflow-runner task: advances the run until it finishes, sleeping durably in between. */
export async function executeOnTrigger(db: Db, catalog: NodeCatalog, runId: string, taskRunId: string, signal: AbortSignal): Promise<{ status: string }> {
  configureClient();
  const owner = `trigger:${taskRunId}`;
  let admissionDelayMs = 1000;
  for (;;) {
    const claim = await claimRun(db, runId, owner);
    if (claim === "gone") {
      const run = await db.workflowRun.findUnique({ where: { id: runId }, select: { status: true } });
      return { status: run?.status ?? "missing" };
    }
    if (claim === "queued") {
      await wait.until({ date: new Date(Date.now() + admissionDelayMs) });
      admissionDelayMs = Math.min(admissionDelayMs * 2, ADMISSION_POLL_MAX_MS);
      continue;
    }
    const result = await advanceRun(db, runId, { catalog, leaseOwner: owner, signal });
    if (result.kind === "finished") return { status: result.status };
    if (result.kind === "lost" || signal.aborted) return { status: "released" };
    if (result.waitpointIds.length > 0) await waitForDecision(db, runId, result.waitpointIds, result.wakeAt);
    else if (result.wakeAt) await wait.until({ date: result.wakeAt });
    else return { status: "released" };
  }
}

/** onFailure of the task: a run whose task gave up must not stay running forever. */
export async function abandonRun(db: Db, runId: string, error: unknown): Promise<void> {
  logger.error({ err: error, runId }, "the workflow-runner task failed for good");
  await db.workflowRun.updateMany({
    where: { id: runId, status: { in: ["queued", "running", "waiting"] } },
    data: { status: "failed", finishedAt: new Date(), leaseOwner: null, leaseExpiresAt: null, wakeAt: null, errorCode: "E_INTERNAL", errorMessage: "The Trigger.dev task executing this run failed; see its logs there" },
  });
}

/**
 * The workflow-runner task over a catalog: trigger/workflow-runner.ts defines it with the app's
 * catalog (tests with theirs). Thin on purpose: the interpreter does the work.
 */
export function defineWorkflowRunner(catalog: NodeCatalog) {
  return task({
    id: WORKFLOW_RUNNER_TASK,
    run: async (payload: WorkflowRunnerPayload, { ctx, signal }) => executeOnTrigger(await getDb(), catalog, payload.runId, ctx.run.id, signal),
    onFailure: async ({ payload, error }) => abandonRun(await getDb(), payload.runId, error),
  });
}
