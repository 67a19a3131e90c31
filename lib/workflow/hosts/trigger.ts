import { configure, idempotencyKeys, runs, tasks, wait } from "@trigger.dev/sdk";
import { getEnv } from "@/lib/config/env";
import type { Db } from "@/lib/db";
import { logger } from "@/lib/log";
import type { RunHost } from "./index";
import type { defineUndoRunner, defineWorkflowRunner } from "./trigger-task";

// The Trigger.dev host, app side: it triggers one `workflow-runner` task per run (idempotency key
// per run) and one `run-undo` task per undo request, completes the waitpoint token of a decided approval, cancels the task run of a
// cancelled run, and re-dispatches runs Trigger.dev did not take. The task side (claim, execute,
// abandon) is trigger-task.ts. The database stays the source of truth: a token only wakes the
// task, which then reads the decision (or the timeout) from the Waitpoint row.

export const WORKFLOW_RUNNER_TASK = "workflow-runner";
export type WorkflowRunnerPayload = { runId: string };
export const UNDO_RUNNER_TASK = "run-undo";
export type UndoRunnerPayload = { undoId: string };

/** Points the SDK at the configured Trigger.dev API with our validated settings. */
export function configureClient() {
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

/** One `run-undo` task run per undo request; a request left queued is handed over again by the dispatcher. */
async function dispatchUndo(db: Db, undoId: string): Promise<void> {
  configureClient();
  const idempotencyKey = await idempotencyKeys.create(["flowline-undo", undoId], { scope: "global" });
  const handle = await tasks.trigger<ReturnType<typeof defineUndoRunner>>(
    UNDO_RUNNER_TASK,
    { undoId },
    { idempotencyKey, tags: [`undo_${undoId}`] },
    { retry: { maxAttempts: 2, minTimeoutInMs: 200, maxTimeoutInMs: 500 } },
  );
  await db.runUndo.updateMany({ where: { id: undoId, externalRunId: null }, data: { externalRunId: handle.id } });
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
    await wait
      .completeToken(waitpoint.externalId, result)
      .catch((error: unknown) =>
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
  async undo(db, undoId) {
    await dispatchUndo(db, undoId).catch((error: unknown) => logger.warn({ err: error, undoId }, "triggering the run-undo task failed; will retry"));
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
      const undos = await db.runUndo.findMany({
        where: { status: "queued", externalRunId: null, createdAt: { lt: new Date(Date.now() - graceMs) } },
        select: { id: true },
        orderBy: { createdAt: "asc" },
        take: 100,
      });
      for (const undo of undos) await triggerHost.undo(db, undo.id);
    })().catch((error: unknown) => logger.warn({ err: error }, "re-dispatching runs to Trigger.dev failed"));
  }, options.intervalMs ?? 15_000);
  timer.unref();
  return () => clearInterval(timer);
}
