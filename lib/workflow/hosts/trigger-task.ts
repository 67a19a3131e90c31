import { createHash } from "node:crypto";
import { task, wait } from "@trigger.dev/sdk";
import { getDb, type Db } from "@/lib/db";
import { systemClock, type Clock } from "../engine/clock";
import { advanceRun } from "../engine/interpreter";
import { abandonRunState, claimTaskRun } from "../engine/run-state";
import type { NodeCatalog } from "../node-types";
import { abandonUndo, claimUndoById, performUndo } from "../undo";
import { configureClient, UNDO_RUNNER_TASK, WORKFLOW_RUNNER_TASK, type UndoRunnerPayload, type WorkflowRunnerPayload } from "./trigger";
import { logger } from "@/lib/log";

// The Trigger.dev host, task side: the body of the `workflow-runner` task. It claims its run
// (admitted under a concurrency limit by the same rule as the embedded host), drives the same
// interpreter, and maps its suspensions: a wake-up time (WAIT, retry backoff, rate limit, the
// run's time limit) to wait.until, open approvals to one waitpoint token.

const ADMISSION_POLL_MAX_MS = 30_000;

/**
 * Parks the task on one waitpoint token for the open approvals until one is decided or the run's
 * next wake-up time (an approval's timeout, a WAIT on another branch, the run's time limit).
 */
async function waitForDecision(db: Db, runId: string, waitpointIds: string[], wakeAt: Date | null, clock: Clock): Promise<void> {
  // A token per (approvals, deadline): a later wait on the same approvals gets a fresh one.
  const idempotencyKey = createHash("sha256")
    .update(`${runId}:${[...waitpointIds].sort().join(",")}:${wakeAt?.toISOString() ?? ""}`)
    .digest("hex");
  const token = await wait.createToken({ idempotencyKey, ...(wakeAt ? { timeout: wakeAt } : {}), tags: [`run_${runId}`] });
  // Stored only on approvals still open: one decided before the token was stored found no token
  // to complete, so the task must not wait for one.
  const { count } = await db.waitpoint.updateMany({ where: { id: { in: waitpointIds }, completedAt: null }, data: { externalId: token.id } });
  if (count < waitpointIds.length) return;
  // Decided or timed out, the interpreter reads the outcome from the Waitpoint rows.
  const outcome = await wait.forToken(token);
  // A token that timed out by Trigger.dev's clock a little before ours would be handed back at
  // once (same idempotency key) until ours catches up: sleep off the difference instead.
  if (!outcome.ok && wakeAt && wakeAt > clock.now()) await wait.until({ date: wakeAt });
}

/** The body of the workflow-runner task: advances the run until it finishes, sleeping durably in between. */
export async function executeOnTrigger(
  db: Db,
  catalog: NodeCatalog,
  runId: string,
  taskRunId: string,
  signal: AbortSignal,
  clock: Clock = systemClock,
): Promise<{ status: string }> {
  configureClient();
  const owner = `trigger:${taskRunId}`;
  let admissionDelayMs = 1000;
  for (;;) {
    const claim = await claimTaskRun(db, runId, owner, clock.now());
    if (claim === "gone") {
      const run = await db.workflowRun.findUnique({ where: { id: runId }, select: { status: true } });
      return { status: run?.status ?? "missing" };
    }
    if (claim === "queued") {
      await wait.until({ date: new Date(Date.now() + admissionDelayMs) });
      admissionDelayMs = Math.min(admissionDelayMs * 2, ADMISSION_POLL_MAX_MS);
      continue;
    }
    const result = await advanceRun(db, runId, { catalog, leaseOwner: owner, signal, clock });
    if (result.kind === "finished") return { status: result.status };
    if (result.kind === "lost" || signal.aborted) return { status: "released" };
    if (result.waitpointIds.length > 0) await waitForDecision(db, runId, result.waitpointIds, result.wakeAt, clock);
    else if (result.wakeAt) await wait.until({ date: result.wakeAt });
    else return { status: "released" };
  }
}

/** onFailure of the task: a run whose task gave up must not stay running forever. */
export async function abandonRun(db: Db, runId: string, error: unknown): Promise<void> {
  logger.error({ err: error, runId }, "the workflow-runner task failed for good");
  await abandonRunState(db, runId, new Date());
}

/**
 * The workflow-runner task over a catalog: trigger/workflow-runner.ts defines it with the app's
 * catalog (tests with theirs). Thin on purpose: the interpreter does the work.
 */
export function defineWorkflowRunner(catalog: NodeCatalog, clock: Clock = systemClock) {
  return task({
    id: WORKFLOW_RUNNER_TASK,
    run: async (payload: WorkflowRunnerPayload, { ctx, signal }) => executeOnTrigger(await getDb(), catalog, payload.runId, ctx.run.id, signal, clock),
    onFailure: async ({ payload, error }) => abandonRun(await getDb(), payload.runId, error),
  });
}

/**
 * The run-undo task: claims its undo request (a retried attempt takes its own lease back) and
 * undoes the run's effects, as the embedded worker would.
 */
export function defineUndoRunner(catalog: NodeCatalog, clock: Clock = systemClock) {
  return task({
    id: UNDO_RUNNER_TASK,
    run: async (payload: UndoRunnerPayload, { ctx, signal }) => {
      const db = await getDb();
      const owner = `trigger:${ctx.run.id}`;
      for (;;) {
        if (!(await claimUndoById(db, payload.undoId, owner, clock.now()))) return { status: "gone" };
        const outcome = await performUndo(db, catalog, payload.undoId, owner, { signal, clock });
        if (typeof outcome === "string") return { status: outcome };
        // A provider's rate limit: sleep on the platform, then take the request back.
        await wait.until({ date: outcome.waitUntil });
      }
    },
    onFailure: async ({ payload, error }) => {
      logger.error({ err: error, undoId: payload.undoId }, "the run-undo task failed for good");
      await abandonUndo(await getDb(), payload.undoId, clock);
    },
  });
}
