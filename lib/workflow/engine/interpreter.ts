import { createHash, randomBytes } from "node:crypto";
import type { Db, Tx } from "@/lib/db";
import { logger } from "@/lib/log";
import { redactSecrets } from "@/lib/redact";
import { Prisma, type WorkflowRun, type WorkflowRunStep } from "@/lib/generated/prisma/client";
import { evaluateCondition, type Condition } from "../conditions";
import { TRIGGER_ID, type WorkflowDefinition, type WorkflowNode } from "../definition";
import { errorCodes, toWorkflowError, WorkflowError, type ErrorCode } from "../errors";
import { interpolate, type InterpolationScope } from "../interpolation";
import { loadDefinition } from "../load-definition";
import { ERROR_HANDLE, type NodeCatalog } from "../node-types";
import { retryDelayMs } from "./backoff";
import type { ExecutionContext, NodeExecutor } from "./executors";
import { planDefinition, type Plan } from "./plan";

// The interpreter: given a run, it replays what its step records say already happened and
// executes what comes next, writing every transition, until the run finishes or has to wait.
// It knows nothing of hosts: waiting is returned as a suspension that the embedded worker turns
// into a row with wakeAt, and the Trigger.dev task into wait.until / wait.forToken.
//
// Nodes execute one at a time in topological order; a node runs once all its live predecessors
// are done, and a node none of whose incoming edges was taken is recorded as skipped. A node that
// has to wait (WAIT, APPROVAL, retry backoff, rate limit) holds only what comes after it: the
// other branches go on, and the run suspends until the earliest of its waits is due.

export type AdvanceResult =
  | { kind: "finished"; status: "succeeded" | "failed" | "cancelled" }
  /** wakeAt: when to continue (null: only when a waitpoint is completed); waitpointIds: the open approvals it waits on. */
  | { kind: "suspended"; wakeAt: Date | null; waitpointIds: string[] }
  /** The run is no longer ours (cancelled, or another worker took it): stop without writing. */
  | { kind: "lost" };

export type AdvanceOptions = {
  /** The node types the run's definition may use, with their executors (lib/catalog). */
  catalog: NodeCatalog;
  /** Holder of the run's lease: writes are conditional on still holding it. */
  leaseOwner?: string;
  signal?: AbortSignal;
  now?: () => Date;
};

export const engineLimits = { maxStepsPerRun: 10_000, maxRateLimitWaits: 50 } as const;
// How long, and how many, finished records of steps without effects may wait for a commit.
const FLUSH_AFTER_MS = 20;
const FLUSH_AFTER_RECORDS = 100;

const WAIT_NOT_FAIL = new Set(["E_INTERRUPTED", "E_RATE_LIMITED"]);

type Outcome = { status: "succeeded" | "failed" | "skipped"; handle: string | null; output: unknown; error?: unknown };
type Wait = { wakeAt: Date | null; waitpointIds: string[] };
/** halt: stop the walk now (shutting down, or the run is no longer ours) instead of going on with other branches. */
type Suspension = { suspend: Wait; halt?: true };
type Failure = { fail: WorkflowError };
type Flow = "continue" | Suspension | Failure;

/** Another worker recorded this step first: the run is no longer ours (our lease lapsed). */
class LostOwnership extends Error {}

const key = (nodeId: string, iterationPath: string) => `${nodeId}@${iterationPath}`;
const childPath = (path: string, index: number) => (path === "" ? String(index) : `${path}.${index}`);
let idCounter = 0;
/** A cuid-like id for a step record: written by raw SQL, so not Prisma's @default(cuid()). */
const newStepId = () => `c${Date.now().toString(36)}${(idCounter++ % 1_679_616).toString(36).padStart(4, "0")}${randomBytes(8).toString("hex").slice(0, 12)}`;
const jsonText = (value: unknown): string | null => (value === undefined ? null : (JSON.stringify(value) ?? null));
const isUniqueViolation = (error: unknown) => {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === "P2002") return true;
  // raw statements report the driver's error: P2010 with the Postgres code
  const cause = (error.meta as { driverAdapterError?: { cause?: { originalCode?: string } } } | undefined)?.driverAdapterError?.cause;
  return error.code === "P2010" && cause?.originalCode === "23505";
};
/** Deferred statements as WITH clauses of another statement: data-modifying WITH clauses all run, read or not. */
const deferredClauses = (statements: Prisma.Sql[]) => statements.map((statement, i) => Prisma.sql`${Prisma.raw(`deferred${i}`)} AS (${statement})`);
/**
 * A write of step records. The (run, node, iteration, attempt) key is unique: a record another
 * worker wrote first means our lease lapsed and the run is no longer ours.
 */
async function ownedWrite<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) throw new LostOwnership();
    throw error;
  }
}
export const stepIdempotencyKey = (runId: string, nodeId: string, iterationPath: string) =>
  createHash("sha256").update(`${runId}:${nodeId}:${iterationPath}`).digest("hex").slice(0, 40);
const knownApps = new Set<string>();
/** Effects name their app; executors outside the integrations catalogue (core, tests) add theirs once. */
async function ensureApp(db: Db, appId: string) {
  if (knownApps.has(appId)) return;
  // Not Prisma's upsert: it is a read then a write, which races between workers.
  await db.$executeRaw`INSERT INTO "App" (id, name) VALUES (${appId}, ${appId}) ON CONFLICT (id) DO NOTHING`;
  knownApps.add(appId);
}
export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** The handle a finished step leaves through, derived from its record. */
function handleOf(node: WorkflowNode, step: WorkflowRunStep): string | null {
  if (step.status === "skipped") return null;
  if (step.status === "failed") return node.continueOnError ? ERROR_HANDLE : null;
  const output = (step.output ?? {}) as Record<string, unknown>;
  switch (node.type) {
    case "control.if":
      return output.result ? "true" : "false";
    case "control.approval":
      return typeof output.decision === "string" ? output.decision : null;
    case "control.loop":
      return "done";
    default:
      return "out";
  }
}

function isRetryable(code: string | null): boolean {
  return code !== null && code in errorCodes && errorCodes[code as ErrorCode].retryable;
}

class Interpreter {
  private readonly plan: Plan;
  private readonly latest = new Map<string, WorkflowRunStep>();
  private readonly attemptsUsed = new Map<string, number>();
  private stepCount: number;
  /** Some node of this walk has to wait: the run cannot finish in this walk. */
  private waiting = false;
  private lastStatusCheck: number;
  /**
   * Records written with a later statement rather than each in its own commit: finished records of
   * steps without effects (running one again after a crash is harmless) and a finished WAIT's close.
   * They go out with the next record that is not deferred, before any transaction, before the run
   * is handed back, and once the oldest is FLUSH_AFTER_MS old.
   */
  private pending: Prisma.Sql[] = [];
  private pendingSince = 0;
  /** Set when the last step's record also finished the run. */
  private closed: AdvanceResult | null = null;
  /** What executors reported about their effects, written with the effect's completion. */
  private readonly reported = new Map<string, { credentialId?: string | null; externalRef?: string | null }>();

  constructor(
    private readonly db: Db,
    private readonly run: WorkflowRun,
    plan: Plan,
    steps: WorkflowRunStep[],
    private readonly options: AdvanceOptions,
  ) {
    this.plan = plan;
    // The run was read as ours just now (or claimed with the same statement that returned it).
    this.lastStatusCheck = Date.now();
    this.stepCount = steps.length;
    for (const step of steps) this.remember(step);
  }

  private executorFor(type: string): NodeExecutor | undefined {
    return this.options.catalog.get(type)?.executor;
  }

  private now() {
    return this.options.now?.() ?? new Date();
  }

  private remember(step: WorkflowRunStep) {
    const k = key(step.nodeId, step.iterationPath);
    const previous = this.latest.get(k);
    if (!previous || previous.attempt <= step.attempt) this.latest.set(k, step);
    // Interrupted attempts (the worker died) and rate-limited ones (we were told to wait) do not
    // count against the node's retries.
    if ((step.status === "failed" || step.status === "succeeded") && !WAIT_NOT_FAIL.has(step.errorCode ?? "")) {
      this.attemptsUsed.set(k, (this.attemptsUsed.get(k) ?? 0) + 1);
    }
  }

  /** The finished outcome of a node at this iteration path, looking outwards through enclosing loops. */
  private outcomeOf(nodeId: string, iterationPath: string): Outcome | undefined {
    let path = iterationPath;
    for (;;) {
      const step = this.latest.get(key(nodeId, path));
      if (step) return this.finishedOutcome(this.plan.nodes.get(nodeId)!, step);
      if (path === "") return undefined;
      path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
    }
  }

  private finishedOutcome(node: WorkflowNode, step: WorkflowRunStep): Outcome | undefined {
    if (step.status === "running" || step.status === "waiting" || step.status === "cancelled") return undefined;
    if (step.status === "failed" && !this.isFinalFailure(node, step)) return undefined;
    return { status: step.status, handle: handleOf(node, step), output: step.output, error: step.errorCode ? { code: step.errorCode, message: step.errorMessage } : undefined };
  }

  private isFinalFailure(node: WorkflowNode, step: WorkflowRunStep): boolean {
    if (!isRetryable(step.errorCode)) return true;
    if (step.errorCode === "E_RATE_LIMITED") return step.attempt >= engineLimits.maxRateLimitWaits;
    const used = this.attemptsUsed.get(key(node.id, step.iterationPath)) ?? 0;
    return step.errorCode !== "E_INTERRUPTED" && used >= (node.retry?.maxAttempts ?? 1);
  }

  private scope(iterationPath: string, loop?: { item: unknown; index: number }): InterpolationScope {
    return {
      trigger: { type: this.run.triggerType, payload: this.run.triggerPayload },
      steps: new Proxy({} as Record<string, { output?: unknown; error?: unknown }>, {
        get: (_t, id) => (typeof id === "string" ? this.stepView(id, iterationPath) : undefined),
        has: (_t, id) => typeof id === "string" && this.stepView(id, iterationPath) !== undefined,
        getOwnPropertyDescriptor: (_t, id) => {
          const value = typeof id === "string" ? this.stepView(id, iterationPath) : undefined;
          return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: false };
        },
      }),
      ...(loop ? { loop } : {}),
      run: { id: this.run.id },
    };
  }

  private stepView(nodeId: string, iterationPath: string) {
    const outcome = this.outcomeOf(nodeId, iterationPath);
    if (!outcome || outcome.status === "skipped") return undefined;
    return outcome.status === "failed" ? { error: outcome.error } : { output: outcome.output };
  }

  // ───────────── the walk ─────────────

  async advance(): Promise<AdvanceResult> {
    if (this.run.timeoutAt && this.run.timeoutAt <= this.now()) {
      const error = new WorkflowError("E_TIMEOUT", { message: "The run exceeded its time limit" });
      // What it was waiting for ends with it: the step fails, an open approval can no longer be decided.
      const now = this.now();
      await this.db.workflowRunStep.updateMany({ where: { runId: this.run.id, status: "waiting" }, data: { status: "failed", errorCode: error.code, errorMessage: error.message, finishedAt: now } });
      await this.db.waitpoint.updateMany({ where: { runId: this.run.id, completedAt: null }, data: { completedAt: now, result: { runTimedOut: true } } });
      return this.finish("failed", error);
    }
    try {
      const flow = await this.runScope("", "", undefined);
      if (flow === "continue") return this.closed ?? (await this.finish("succeeded"));
      if ("suspend" in flow) return await this.suspend(flow.suspend);
      return await this.finish("failed", flow.fail);
    } catch (error) {
      if (error instanceof LostOwnership) return { kind: "lost" };
      throw error;
    }
  }

  private async runScope(scopeKey: string, iterationPath: string, loop: { item: unknown; index: number } | undefined): Promise<Flow> {
    const scope = this.plan.scopes.get(scopeKey)!;
    const waits: Wait[] = [];
    // Nodes of this scope that have to wait, and everything after them.
    const held = new Set<string>();
    for (const node of scope.order) {
      const existing = this.latest.get(key(node.id, iterationPath));
      if (existing && this.finishedOutcome(node, existing)) {
        const outcome = this.finishedOutcome(node, existing)!;
        if (outcome.status === "failed" && !node.continueOnError) return { fail: this.errorFromStep(node, existing) };
        continue;
      }
      if (!existing && (this.plan.incoming.get(node.id) ?? []).some((edge) => held.has(edge.source))) {
        held.add(node.id);
        continue;
      }
      if (!existing && !this.isActivated(node, scope.loopId, iterationPath)) {
        await this.record(node, iterationPath, { status: "skipped", attempt: 1 }, this.db, { defer: true });
        continue;
      }
      const flow = await this.execute(node, iterationPath, loop, existing);
      if (flow === "continue") continue;
      if ("fail" in flow || flow.halt) return flow;
      waits.push(flow.suspend);
      held.add(node.id);
      this.waiting = true;
    }
    if (waits.length === 0) return "continue";
    const due = waits.map((w) => w.wakeAt).filter((d): d is Date => d !== null);
    return { suspend: { wakeAt: due.length ? new Date(Math.min(...due.map((d) => d.getTime()))) : null, waitpointIds: waits.flatMap((w) => w.waitpointIds) } };
  }

  /** Whether any incoming edge was taken. Predecessors come first in topological order. */
  private isActivated(node: WorkflowNode, loopId: string | null, iterationPath: string): boolean {
    return (this.plan.incoming.get(node.id) ?? []).some((edge) => {
      if (edge.source === TRIGGER_ID) return true;
      if (edge.source === loopId && edge.sourceHandle === "body") return true;
      return this.outcomeOf(edge.source, iterationPath)?.handle === edge.sourceHandle;
    });
  }

  private errorFromStep(node: WorkflowNode, step: WorkflowRunStep): WorkflowError {
    const code = (step.errorCode ?? "E_INTERNAL") as ErrorCode;
    return new WorkflowError(code in errorCodes ? code : "E_INTERNAL", { message: step.errorMessage ?? undefined, nodeId: node.id });
  }

  private async execute(node: WorkflowNode, iterationPath: string, loop: { item: unknown; index: number } | undefined, existing: WorkflowRunStep | undefined): Promise<Flow> {
    if (++this.stepCount > engineLimits.maxStepsPerRun) {
      return { fail: new WorkflowError("E_POLICY_BLOCKED", { message: `The run exceeded ${engineLimits.maxStepsPerRun} steps`, nodeId: node.id }) };
    }
    if (this.pending.length > 0 && (Date.now() - this.pendingSince >= FLUSH_AFTER_MS || this.pending.length >= FLUSH_AFTER_RECORDS)) await this.flush();
    // A worker shutting down yields between steps; the run stays due, for any worker to continue.
    if (this.options.signal?.aborted) return { suspend: { wakeAt: this.now(), waitpointIds: [] }, halt: true };
    if (!(await this.stillOurs())) return { suspend: { wakeAt: null, waitpointIds: [] }, halt: true };
    try {
      switch (node.type) {
        case "control.loop":
          return await this.executeLoop(node, iterationPath, loop, existing);
        case "control.wait":
          return await this.executeWait(node, iterationPath, loop, existing);
        case "control.approval":
          return await this.executeApproval(node, iterationPath, loop, existing);
        default:
          return await this.executeStep(node, iterationPath, loop, existing);
      }
    } catch (thrown) {
      // A control node's own failure (a template that does not resolve, say) fails its step like any other.
      const error = toWorkflowError(thrown, node.id);
      if (!(thrown instanceof WorkflowError)) throw thrown;
      const current = this.latest.get(key(node.id, iterationPath));
      const open = current && (current.status === "running" || current.status === "waiting");
      await this.record(node, iterationPath, { status: "failed", attempt: open ? current.attempt : (current?.attempt ?? 0) + 1, error, ...(open ? { startedAt: current.startedAt } : {}) });
      return node.continueOnError ? "continue" : { fail: error };
    }
  }

  /** IF and every executor-backed node: one attempt, recorded; retries are durable suspensions. */
  private async executeStep(node: WorkflowNode, iterationPath: string, loop: { item: unknown; index: number } | undefined, existing: WorkflowRunStep | undefined): Promise<Flow> {
    const k = key(node.id, iterationPath);
    if (existing?.status === "running") {
      const resolved = await this.recoverInterrupted(node, existing);
      if (resolved !== "retry") return resolved;
    }
    const attempt = (this.latest.get(k)?.attempt ?? 0) + 1;
    const startedAt = this.now();
    let input: Record<string, unknown> = {};
    try {
      input = interpolate(node.config, this.scope(iterationPath, loop), { nodeId: node.id, missing: node.type === "control.if" ? "undefined" : "error" }) as Record<string, unknown>;
      const { __v: _version, ...fields } = input;
      input = fields;
      const output = await this.perform(node, iterationPath, attempt, input, startedAt);
      const done = { status: "succeeded" as const, attempt, input, output, startedAt };
      if (!this.run.dryRun && this.executorFor(node.type)?.effectful) {
        // An effect is completed in the same transaction as its step, so no crash can separate them.
        await this.flush();
        await this.db.$transaction(async (tx) => {
          await this.assertOwner(tx);
          const idempotencyKey = stepIdempotencyKey(this.run.id, node.id, iterationPath);
          await tx.runEffect.update({ where: { idempotencyKey }, data: { status: "completed", completedAt: this.now(), ...this.reported.get(idempotencyKey) } });
          await this.record(node, iterationPath, done, tx);
        });
      } else {
        // Without effects a step's record can wait for the next commit.
        await this.record(node, iterationPath, done, this.db, { defer: true });
      }
      return "continue";
    } catch (thrown) {
      if (thrown instanceof LostOwnership) throw thrown;
      const error = toWorkflowError(thrown, node.id);
      // Unexpected errors reach step records as E_INTERNAL without their text (it may hold internals): the log keeps it.
      if (!(thrown instanceof WorkflowError)) logger.error({ err: thrown, runId: this.run.id, nodeId: node.id }, "step failed with an unexpected error");
      await this.record(node, iterationPath, { status: "failed", attempt, input, error, startedAt });
      // A rate limit (ours or the provider's) is a durable wait for the time asked, whatever the retry policy.
      if (error.code === "E_RATE_LIMITED" && attempt < engineLimits.maxRateLimitWaits) {
        return { suspend: { wakeAt: new Date(this.now().getTime() + (error.retryAfterMs ?? 1000)), waitpointIds: [] } };
      }
      const used = this.attemptsUsed.get(k) ?? attempt;
      const maxAttempts = node.retry?.maxAttempts ?? 1;
      if (error.retryable && used < maxAttempts) {
        const delay = error.retryAfterMs ?? retryDelayMs(node.retry!, used);
        return { suspend: { wakeAt: new Date(this.now().getTime() + delay), waitpointIds: [] } };
      }
      if (node.continueOnError) return "continue";
      return { fail: error };
    }
  }

  private async perform(node: WorkflowNode, iterationPath: string, attempt: number, input: Record<string, unknown>, startedAt: Date): Promise<unknown> {
    if (node.type === "control.if") return { result: evaluateCondition(input.condition as Condition) };
    const executor = this.executorFor(node.type);
    if (!executor) throw new WorkflowError("E_VALIDATION", { message: `No executor for node type "${node.type}"`, nodeId: node.id });
    const ctx = this.context(node, iterationPath, attempt);
    // A dry run's output is the preview, shaped like the real output, so later steps can read it.
    if (this.run.dryRun) return executor.preview ? await executor.preview(ctx, input) : input;
    if (!executor.effectful) return executor.execute(ctx, input);
    // The effect is on record before the call, so a crash in between is detectable afterwards;
    // and only while this worker still holds the run, so two workers never both call out.
    const appId = node.type.split(".")[0]!;
    await ensureApp(this.db, appId);
    const undo = executor.undo ?? { strategy: "none" as const, canUndo: false };
    await this.flush();
    await this.db.$transaction(async (tx) => {
      await this.assertOwner(tx);
      const running = await this.record(node, iterationPath, { status: "running", attempt, input, startedAt }, tx);
      ctx.stepId = running.id;
      await tx.runEffect.upsert({
        where: { idempotencyKey: ctx.idempotencyKey },
        create: { runId: this.run.id, stepId: running.id, nodeId: node.id, appId, action: node.type, idempotencyKey: ctx.idempotencyKey, undoStrategy: undo.strategy, canUndo: undo.canUndo },
        update: { stepId: running.id, status: "pending" },
      });
    });
    try {
      return await executor.execute(ctx, input);
    } catch (error) {
      if (error instanceof LostOwnership) throw error;
      await this.db.runEffect.update({ where: { idempotencyKey: ctx.idempotencyKey }, data: { status: "failed", completedAt: this.now(), ...this.reported.get(ctx.idempotencyKey) } });
      throw error;
    }
  }

  private context(node: WorkflowNode, iterationPath: string, attempt: number): ExecutionContext {
    const idempotencyKey = stepIdempotencyKey(this.run.id, node.id, iterationPath);
    return {
      stepId: `${this.run.id}:${node.id}@${iterationPath}#${attempt}`,
      reportEffect: (effect) => this.reported.set(idempotencyKey, { ...this.reported.get(idempotencyKey), ...effect }),
      db: this.db,
      runId: this.run.id,
      companyId: this.run.companyId,
      userId: this.run.startedById,
      node,
      iterationPath,
      attempt,
      idempotencyKey,
      signal: this.options.signal ?? new AbortController().signal,
    };
  }

  /**
   * A step left "running" by a worker that died. Without effects it simply runs again; with effects
   * it is reconciled where the executor can check, repeated only if the provider deduplicates, and
   * otherwise handed to a person — never blindly repeated.
   */
  private async recoverInterrupted(node: WorkflowNode, step: WorkflowRunStep): Promise<Flow | "retry"> {
    const executor = this.executorFor(node.type);
    const interrupted = new WorkflowError("E_INTERRUPTED", { nodeId: node.id });
    const effect = executor?.effectful ? await this.db.runEffect.findUnique({ where: { idempotencyKey: stepIdempotencyKey(this.run.id, node.id, step.iterationPath) } }) : null;
    if (!executor?.effectful || !effect || effect.status === "failed") {
      await this.closeStep(step, "failed", { error: interrupted });
      return "retry";
    }
    const input = (step.input ?? {}) as Record<string, unknown>;
    const check = executor.reconcile ? await executor.reconcile(this.context(node, step.iterationPath, step.attempt), input) : { outcome: "unknown" as const };
    if (check.outcome === "done") {
      await this.db.runEffect.update({ where: { id: effect.id }, data: { status: "completed", completedAt: this.now() } });
      await this.closeStep(step, "succeeded", { output: check.output });
      return "continue";
    }
    if (check.outcome === "not_done" || executor.idempotent) {
      await this.closeStep(step, "failed", { error: interrupted });
      return "retry";
    }
    await this.db.runEffect.update({ where: { id: effect.id }, data: { status: "unknown" } });
    const unknown = new WorkflowError("E_EFFECT_UNKNOWN", { nodeId: node.id });
    await this.closeStep(step, "failed", { error: unknown });
    await this.db.workflowRun.update({ where: { id: this.run.id }, data: { needsAttention: true } });
    return { fail: unknown };
  }

  private async executeLoop(node: WorkflowNode, iterationPath: string, outer: { item: unknown; index: number } | undefined, existing: WorkflowRunStep | undefined): Promise<Flow> {
    let step = existing;
    if (!step) {
      const startedAt = this.now();
      const config = interpolate(node.config, this.scope(iterationPath, outer), { nodeId: node.id }) as { items: unknown; maxIterations?: number };
      const items = config.items;
      if (!Array.isArray(items)) throw new WorkflowError("E_VALIDATION", { message: `The loop's items is not a list (got ${items === null ? "null" : typeof items})`, nodeId: node.id });
      const max = config.maxIterations ?? 1000;
      if (items.length > max) throw new WorkflowError("E_VALIDATION", { message: `The list has ${items.length} items, more than the loop's maxIterations (${max})`, nodeId: node.id });
      step = await this.record(node, iterationPath, { status: "running", attempt: 1, input: { items }, startedAt });
    }
    const items = ((step.input ?? {}) as { items?: unknown[] }).items ?? [];
    for (let index = 0; index < items.length; index++) {
      const flow = await this.runScope(node.id, childPath(iterationPath, index), { item: items[index], index });
      if (flow !== "continue") return flow;
    }
    await this.closeStep(step, "succeeded", { output: { iterations: items.length } });
    return "continue";
  }

  private async executeWait(node: WorkflowNode, iterationPath: string, loop: { item: unknown; index: number } | undefined, existing: WorkflowRunStep | undefined): Promise<Flow> {
    let step = existing;
    if (!step) {
      const startedAt = this.now();
      const config = interpolate(node.config, this.scope(iterationPath, loop), { nodeId: node.id }) as { durationMs?: number; until?: string };
      const wakeAt = config.until !== undefined ? new Date(config.until) : new Date(startedAt.getTime() + (config.durationMs ?? 0));
      if (Number.isNaN(wakeAt.getTime())) throw new WorkflowError("E_VALIDATION", { message: `"${config.until}" is not a date-time`, nodeId: node.id });
      step = await this.record(node, iterationPath, { status: "waiting", attempt: 1, input: { wakeAt: wakeAt.toISOString() }, startedAt });
    }
    const wakeAt = new Date(((step.input ?? {}) as { wakeAt: string }).wakeAt);
    // A dry run shows the path without sleeping through it.
    if (!this.run.dryRun && wakeAt > this.now()) return { suspend: { wakeAt, waitpointIds: [] } };
    // Written with the next statement (the next step's record, or the run's end): a crash before
    // that leaves the WAIT waiting with its time passed, and it is closed again.
    await this.closeStep(step, "succeeded", { output: { resumedAt: this.now().toISOString() } }, { defer: true });
    return "continue";
  }

  private async executeApproval(node: WorkflowNode, iterationPath: string, loop: { item: unknown; index: number } | undefined, existing: WorkflowRunStep | undefined): Promise<Flow> {
    let step = existing;
    if (!step) {
      const startedAt = this.now();
      const config = interpolate(node.config, this.scope(iterationPath, loop), { nodeId: node.id }) as { message: string; timeoutMs: number; approvers?: string[] };
      if (this.run.dryRun) {
        await this.record(node, iterationPath, { status: "succeeded", attempt: 1, input: config, output: { decision: "approved", decidedAt: startedAt.toISOString(), comment: "dry run: assumed approved" }, startedAt });
        return "continue";
      }
      const timeoutAt = new Date(startedAt.getTime() + config.timeoutMs);
      step = await this.record(node, iterationPath, { status: "waiting", attempt: 1, input: { message: config.message, approvers: config.approvers ?? null, timeoutAt: timeoutAt.toISOString() }, startedAt });
      // The signed link carries a random token; only its hash is stored.
      await this.db.waitpoint.create({
        data: { runId: this.run.id, nodeId: node.id, iterationPath, kind: "approval", timeoutAt, tokenHash: hashToken(randomBytes(24).toString("base64url")) },
      });
    }
    const waitpoint = await this.db.waitpoint.findFirst({ where: { runId: this.run.id, nodeId: node.id, iterationPath, kind: "approval" } });
    if (!waitpoint) throw new Error(`approval ${node.id} has no waitpoint`);
    if (waitpoint.completedAt) {
      const result = (waitpoint.result ?? {}) as { approved?: boolean; comment?: string; by?: string };
      const output = { decision: result.approved ? "approved" : "rejected", decidedAt: waitpoint.completedAt.toISOString(), ...(result.by ? { decidedBy: result.by } : {}), ...(result.comment ? { comment: result.comment } : {}) };
      await this.closeStep(step, "succeeded", { output });
      return "continue";
    }
    if (waitpoint.timeoutAt && waitpoint.timeoutAt <= this.now()) {
      // Conditional: a decision that lands at the same moment wins over the timeout.
      const { count } = await this.db.waitpoint.updateMany({ where: { id: waitpoint.id, completedAt: null }, data: { completedAt: this.now(), result: { timedOut: true } } });
      if (count === 0) return this.executeApproval(node, iterationPath, loop, step);
      await this.closeStep(step, "succeeded", { output: { decision: "timeout", decidedAt: this.now().toISOString() } });
      return "continue";
    }
    return { suspend: { wakeAt: waitpoint.timeoutAt, waitpointIds: [waitpoint.id] } };
  }

  // ───────────── records ─────────────

  private async record(
    node: WorkflowNode,
    iterationPath: string,
    values: { status: WorkflowRunStep["status"]; attempt: number; input?: unknown; output?: unknown; error?: WorkflowError; startedAt?: Date },
    db: Db | Tx = this.db,
    options: { defer?: boolean } = {},
  ): Promise<WorkflowRunStep> {
    const finished = values.status !== "running" && values.status !== "waiting";
    const startedAt = values.startedAt ?? this.now();
    const finishedAt = finished ? this.now() : null;
    const existing = this.latest.get(key(node.id, iterationPath));
    // What a step was given is kept without its secrets; control nodes keep theirs whole (a loop
    // and a wait read their own record back).
    const input = jsonText(node.type.startsWith("control.") ? values.input : redactSecrets(values.input));
    const output = jsonText(values.output);
    const data = {
      status: values.status,
      input: input === null ? null : (JSON.parse(input) as Prisma.JsonValue),
      output: output === null ? null : (JSON.parse(output) as Prisma.JsonValue),
      errorCode: values.error?.code ?? null,
      errorMessage: values.error?.message ?? null,
      finishedAt,
      durationMs: finishedAt ? finishedAt.getTime() - startedAt.getTime() : null,
    };
    // The last node of the run, done: the run is finished in the same statement (one commit, and
    // no moment where every step is recorded but the run is still running).
    const closesRun = (values.status === "succeeded" || values.status === "skipped") && this.isLastNode(node, iterationPath);
    const ctes: Prisma.Sql[] = [];
    if (closesRun) {
      ctes.push(Prisma.sql`closed AS (
          UPDATE "WorkflowRun" SET status = 'succeeded', "finishedAt" = ${finishedAt}, "wakeAt" = NULL, "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "errorCode" = NULL, "errorMessage" = NULL
           WHERE id = ${this.run.id} AND status = 'running' ${this.ownerCondition()} RETURNING 1)`);
    }
    const inPlace = existing && existing.attempt === values.attempt && (existing.status === "running" || existing.status === "waiting");
    // The run's last record goes out at once, with the run's finish.
    const defer = options.defer === true && !closesRun;
    if (defer && (!finished || db !== this.db)) throw new Error("only a finished record outside a transaction can be deferred");
    if (this.pending.length > 0 && db !== this.db) throw new Error("deferred records must be written before a transaction");
    // Deferred records go out with this statement.
    const pending = defer ? [] : this.pending;
    ctes.push(...deferredClauses(pending));
    const prefix = ctes.length > 0 ? Prisma.sql`WITH ${Prisma.join(ctes, ", ")} ` : Prisma.empty;
    const closedCount = closesRun ? Prisma.sql` RETURNING (SELECT count(*) FROM closed)::int AS closed` : Prisma.empty;
    let step: WorkflowRunStep;
    let write: Prisma.Sql;
    // Raw statements: a step record is the engine's hottest write, and Prisma's model layer costs
    // more than the commit. The record kept in memory is what the database holds.
    if (inPlace) {
      // The running record of an effectful attempt (or a loop, wait or approval) is completed in place.
      step = { ...existing, ...data };
      write = Prisma.sql`UPDATE "WorkflowRunStep" SET status = ${data.status}::"StepStatus", input = ${input}::jsonb, output = ${output}::jsonb,
             "errorCode" = ${data.errorCode}, "errorMessage" = ${data.errorMessage}, "finishedAt" = ${finishedAt}, "durationMs" = ${data.durationMs}
       WHERE id = ${existing.id}`;
    } else {
      step = { id: newStepId(), runId: this.run.id, nodeId: node.id, iterationPath, attempt: values.attempt, startedAt, ...data };
      write = Prisma.sql`INSERT INTO "WorkflowRunStep" (id, "runId", "nodeId", "iterationPath", attempt, status, input, output, "errorCode", "errorMessage", "startedAt", "finishedAt", "durationMs")
        VALUES (${step.id}, ${step.runId}, ${step.nodeId}, ${iterationPath}, ${values.attempt}, ${data.status}::"StepStatus", ${input}::jsonb, ${output}::jsonb,
                ${data.errorCode}, ${data.errorMessage}, ${startedAt}, ${finishedAt}, ${data.durationMs})`;
    }
    if (defer) return this.deferred(write, step);
    const statement = Prisma.sql`${prefix}${write}${closedCount}`;
    const rows = await ownedWrite<number | { closed: number }[]>(closesRun ? db.$queryRaw<{ closed: number }[]>(statement) : db.$executeRaw(statement));
    if (inPlace && rows === 0) throw new Error(`step record ${existing.id} is gone`);
    if (pending.length > 0) this.pending = this.pending.slice(pending.length);
    if (closesRun && typeof rows !== "number") this.closed = rows[0]?.closed ? { kind: "finished", status: "succeeded" } : { kind: "lost" };
    this.remember(step);
    return step;
  }

  /** Whether a node is the run's last: the last of the top level in walk order, with nothing of this walk waiting. */
  private isLastNode(node: WorkflowNode, iterationPath: string): boolean {
    const order = this.plan.scopes.get("")!.order;
    // Not while another branch waits: then the run is not done when its last node is.
    return iterationPath === "" && order[order.length - 1] === node && !this.waiting;
  }

  private ownerCondition() {
    return this.options.leaseOwner ? Prisma.sql`AND "leaseOwner" = ${this.options.leaseOwner}` : Prisma.empty;
  }

  private async closeStep(step: WorkflowRunStep, status: "succeeded" | "failed", values: { output?: unknown; error?: WorkflowError }, options: { defer?: boolean } = {}) {
    const node = this.plan.nodes.get(step.nodeId)!;
    return this.record(node, step.iterationPath, { status, attempt: step.attempt, startedAt: step.startedAt, input: step.input ?? undefined, ...values }, this.db, options);
  }

  private deferred(statement: Prisma.Sql, step: WorkflowRunStep): WorkflowRunStep {
    if (this.pending.length === 0) this.pendingSince = Date.now();
    this.pending.push(statement);
    this.remember(step);
    return step;
  }

  /** Writes the deferred records now, in one statement. */
  private async flush() {
    const pending = this.pending;
    if (pending.length === 0) return;
    const [first, ...rest] = pending;
    await ownedWrite(this.db.$executeRaw(rest.length === 0 ? first! : Prisma.sql`WITH ${Prisma.join(deferredClauses(rest), ", ")} ${first!}`));
    this.pending = this.pending.slice(pending.length);
  }

  /** Locks the run row and checks this worker still holds it; a lapsed lease means another worker took over. */
  private async assertOwner(tx: Tx) {
    if (!this.options.leaseOwner) return;
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "WorkflowRun" WHERE id = ${this.run.id} AND status = 'running' AND "leaseOwner" = ${this.options.leaseOwner} FOR UPDATE`;
    if (rows.length === 0) throw new LostOwnership();
  }

  /** Cheap, rate-limited check that the run was not cancelled or taken over meanwhile. */
  private async stillOurs(): Promise<boolean> {
    const now = Date.now();
    if (now - this.lastStatusCheck < 50) return true;
    this.lastStatusCheck = now;
    const current = await this.db.workflowRun.findUnique({ where: { id: this.run.id }, select: { status: true, leaseOwner: true } });
    return current?.status === "running" && (!this.options.leaseOwner || current.leaseOwner === this.options.leaseOwner);
  }

  private ownership() {
    return { id: this.run.id, status: "running" as const, ...(this.options.leaseOwner ? { leaseOwner: this.options.leaseOwner } : {}) };
  }

  private async finish(status: "succeeded" | "failed", error?: WorkflowError): Promise<AdvanceResult> {
    await this.flush();
    const end = (db: Db | Tx) =>
      db.workflowRun.updateMany({
        where: this.ownership(),
        data: { status, finishedAt: this.now(), wakeAt: null, leaseOwner: null, leaseExpiresAt: null, errorCode: error?.code ?? null, errorMessage: error ? `${error.nodeId ? `${error.nodeId}: ` : ""}${error.message}` : null },
      });
    const { count } =
      status === "succeeded"
        ? await end(this.db)
        : await this.db.$transaction(async (tx) => {
            const ended = await end(tx);
            if (ended.count === 0) return ended;
            // A branch that was waiting when another one failed the run: its wait ends with the run.
            const now = this.now();
            await tx.workflowRunStep.updateMany({ where: { runId: this.run.id, status: "waiting" }, data: { status: "cancelled", finishedAt: now } });
            await tx.waitpoint.updateMany({ where: { runId: this.run.id, completedAt: null }, data: { completedAt: now, result: { runEnded: true } } });
            return ended;
          });
    return count === 0 ? { kind: "lost" } : { kind: "finished", status };
  }

  private async suspend({ wakeAt: due, waitpointIds }: Wait): Promise<AdvanceResult> {
    // A run with a time limit wakes up at it at the latest, to fail then rather than when the wait ends.
    const limit = this.run.timeoutAt;
    const wakeAt = limit && (due === null || limit < due) ? limit : due;
    await this.flush();
    const { count } = await this.db.workflowRun.updateMany({ where: this.ownership(), data: { status: "waiting", wakeAt, leaseOwner: null, leaseExpiresAt: null } });
    return count === 0 ? { kind: "lost" } : { kind: "suspended", wakeAt, waitpointIds };
  }
}

/** The definition a run executes: its pinned version, or the draft frozen when the test run started. */
export async function runDefinition(db: Db, run: WorkflowRun, catalog: NodeCatalog): Promise<WorkflowDefinition> {
  if (run.definition) return loadDefinition(run.definition, catalog);
  const version = await db.workflowVersion.findUniqueOrThrow({ where: { id: run.versionId! }, select: { definition: true } });
  return loadDefinition(version.definition, catalog);
}

// Versions are immutable, so their loaded definition and plan are kept (most recently used first
// out of a bounded map): a claim does not re-read and re-validate the version.
const PLANS_KEPT = 200;
const plans = new Map<string, Plan>();
async function planOf(db: Db, run: WorkflowRun, catalog: NodeCatalog): Promise<Plan> {
  if (!run.versionId || run.definition) return planDefinition(await runDefinition(db, run, catalog));
  let plan = plans.get(run.versionId);
  if (plan) {
    plans.delete(run.versionId);
  } else {
    plan = planDefinition(await runDefinition(db, run, catalog));
    if (plans.size >= PLANS_KEPT) plans.delete(plans.keys().next().value!);
  }
  plans.set(run.versionId, plan);
  return plan;
}

/**
 * Advances a run its caller has claimed (status running). Returns when it finishes, suspends,
 * or turns out to be no longer the caller's.
 */
export async function advanceRun(db: Db, runId: string, options: AdvanceOptions): Promise<AdvanceResult> {
  const run = await db.workflowRun.findUnique({ where: { id: runId } });
  if (!run) return { kind: "lost" };
  return advanceClaimedRun(db, run, null, options);
}

/**
 * advanceRun for a host that already holds the run's row as its claim returned it, and possibly its
 * step records (null: read them), so neither is read again.
 */
export async function advanceClaimedRun(db: Db, run: WorkflowRun, steps: WorkflowRunStep[] | null, options: AdvanceOptions): Promise<AdvanceResult> {
  if (run.status === "succeeded" || run.status === "failed" || run.status === "cancelled") return { kind: "finished", status: run.status };
  if (run.status !== "running") return { kind: "lost" };
  const [records, plan] = await Promise.all([steps ?? db.workflowRunStep.findMany({ where: { runId: run.id }, orderBy: [{ attempt: "asc" }] }), planOf(db, run, options.catalog)]);
  return new Interpreter(db, run, plan, records, options).advance();
}
