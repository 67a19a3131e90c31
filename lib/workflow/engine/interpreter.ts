import { createHash } from "node:crypto";
import type { Db } from "@/lib/db";
import { logger } from "@/lib/log";
import type { WorkflowRun, WorkflowRunStep } from "@/lib/generated/prisma/client";
import { TRIGGER_ID, type WorkflowDefinition, type WorkflowNode } from "../definition";
import { toWorkflowError, WorkflowError } from "../errors";
import { interpolate, type InterpolationScope } from "../interpolation";
import { loadDefinition } from "../load-definition";
import type { NodeCatalog, NodeType } from "../node-types";
import { blockedReason, policyBlockedError, readSnapshot, type PolicySnapshot } from "../policy";
import { retryDelayMs } from "./backoff";
import { systemClock, type Clock } from "./clock";
import type { ControlContext, Flow, Wait } from "./control";
import type { ExecutionContext, NodeExecutor } from "./executors";
import { engineLimits, Journal, LostOwnership, type AdvanceResult } from "./journal";
import { planDefinition, type Plan } from "./plan";

// The interpreter's graph walk: given a run, it replays what its step records say already
// happened and executes what comes next, until the run finishes or has to wait. Its records are
// the journal's (journal.ts); what a control node does is its own module's (control.ts). It knows
// nothing of hosts: waiting is returned as a suspension that the embedded worker turns into a row
// with wakeAt, and the Trigger.dev task into wait.until / wait.forToken.
//
// Nodes execute one at a time in topological order; a node runs once all its live predecessors
// are done, and a node none of whose incoming edges was taken is recorded as skipped. A node that
// has to wait (WAIT, APPROVAL, retry backoff, rate limit) holds only what comes after it: the
// other branches go on, and the run suspends until the earliest of its waits is due.

export { engineLimits, type AdvanceResult } from "./journal";

export type AdvanceOptions = {
  /** The node types the run's definition may use, with their executors and behaviours (lib/catalog). */
  catalog: NodeCatalog;
  /** Holder of the run's lease: writes are conditional on still holding it. */
  leaseOwner?: string;
  signal?: AbortSignal;
  /** What due times are compared against; the system clock when left out. */
  clock?: Clock;
};

type LoopItem = { item: unknown; index: number };

const childPath = (path: string, index: number) => (path === "" ? String(index) : `${path}.${index}`);
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

class Interpreter {
  private readonly journal: Journal;
  /** What executors reported about their effects, written with the effect's completion. */
  private readonly reported = new Map<string, { credentialId?: string | null; externalRef?: string | null }>();
  private readonly clock: Clock;
  /** The policy the run was created under (null: a run from before policies). */
  private readonly policy: PolicySnapshot | null;

  constructor(
    private readonly db: Db,
    private readonly run: WorkflowRun,
    private readonly plan: Plan,
    steps: WorkflowRunStep[],
    private readonly options: AdvanceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.policy = readSnapshot(run.policy);
    this.journal = new Journal(db, run, plan, steps, { leaseOwner: options.leaseOwner, now: () => this.clock.now() });
  }

  private now() {
    return this.clock.now();
  }

  private typeOf(node: WorkflowNode): NodeType {
    return this.plan.types.get(node.id)!;
  }

  private scope(iterationPath: string, loop?: LoopItem): InterpolationScope {
    return {
      trigger: { type: this.run.triggerType, source: this.run.triggerSource, payload: this.run.triggerPayload },
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
    const outcome = this.journal.outcomeOf(nodeId, iterationPath);
    if (!outcome || outcome.status === "skipped") return undefined;
    return outcome.status === "failed" ? { error: outcome.error } : { output: outcome.output };
  }

  private config(node: WorkflowNode, iterationPath: string, loop: LoopItem | undefined): Record<string, unknown> {
    const missing = this.typeOf(node).behaviour?.lenientTemplates ? "undefined" : "error";
    const { __v: _version, ...fields } = interpolate(node.config, this.scope(iterationPath, loop), { nodeId: node.id, missing }) as Record<string, unknown>;
    return fields;
  }

  // ───────────── the walk ─────────────

  async advance(): Promise<AdvanceResult> {
    if (this.run.timeoutAt && this.run.timeoutAt <= this.now()) {
      const error = new WorkflowError("E_TIMEOUT", {
        message: "The run exceeded its time limit",
        remediation: "Start it again with a longer time limit, or make its waits shorter",
      });
      // What it was waiting for ends with it: the step fails, an open approval can no longer be decided.
      const now = this.now();
      await this.db.workflowRunStep.updateMany({
        where: { runId: this.run.id, status: "waiting" },
        data: {
          status: "failed",
          errorCode: error.code,
          errorMessage: error.message,
          errorRemediation: error.remediation,
          errorRetryable: false,
          finishedAt: now,
        },
      });
      await this.db.waitpoint.updateMany({ where: { runId: this.run.id, completedAt: null }, data: { completedAt: now, result: { runTimedOut: true } } });
      return this.journal.finish("failed", error);
    }
    try {
      const flow = await this.runScope("", "", undefined);
      if (flow === "continue") return this.journal.closed ?? (await this.journal.finish("succeeded"));
      if ("suspend" in flow) return await this.journal.suspend(flow.suspend);
      return await this.journal.finish("failed", flow.fail);
    } catch (error) {
      if (error instanceof LostOwnership) return { kind: "lost" };
      throw error;
    }
  }

  private async runScope(scopeKey: string, iterationPath: string, loop: LoopItem | undefined): Promise<Flow> {
    const scope = this.plan.scopes.get(scopeKey)!;
    const waits: Wait[] = [];
    // Nodes of this scope that have to wait, and everything after them.
    const held = new Set<string>();
    for (const node of scope.order) {
      const existing = this.journal.latestOf(node.id, iterationPath);
      const outcome = existing && this.journal.finishedOutcome(node, existing);
      if (outcome) {
        if (outcome.status === "failed" && !node.continueOnError) return { fail: this.journal.errorOf(node, existing) };
        continue;
      }
      if (!existing && (this.plan.incoming.get(node.id) ?? []).some((edge) => held.has(edge.source))) {
        held.add(node.id);
        continue;
      }
      if (!existing && !this.isActivated(node, scope.loopId, scope.bodyHandle, iterationPath)) {
        await this.journal.record(node, iterationPath, { status: "skipped", attempt: 1 }, this.db, { defer: true });
        continue;
      }
      const flow = await this.execute(node, iterationPath, loop, existing);
      if (flow === "continue") continue;
      if ("fail" in flow || flow.halt) return flow;
      waits.push(flow.suspend);
      held.add(node.id);
      this.journal.waiting = true;
    }
    if (waits.length === 0) return "continue";
    const due = waits.map((w) => w.wakeAt).filter((d): d is Date => d !== null);
    return { suspend: { wakeAt: due.length ? new Date(Math.min(...due.map((d) => d.getTime()))) : null, waitpointIds: waits.flatMap((w) => w.waitpointIds) } };
  }

  /** Whether any incoming edge was taken. Predecessors come first in topological order. */
  private isActivated(node: WorkflowNode, bodyOf: string | null, bodyHandle: string | null, iterationPath: string): boolean {
    return (this.plan.incoming.get(node.id) ?? []).some((edge) => {
      if (edge.source === TRIGGER_ID) return true;
      if (edge.source === bodyOf && edge.sourceHandle === bodyHandle) return true;
      return this.journal.outcomeOf(edge.source, iterationPath)?.handle === edge.sourceHandle;
    });
  }

  private async execute(node: WorkflowNode, iterationPath: string, loop: LoopItem | undefined, existing: WorkflowRunStep | undefined): Promise<Flow> {
    if (++this.journal.count > engineLimits.maxStepsPerRun) {
      return {
        fail: new WorkflowError("E_LIMIT_EXCEEDED", {
          message: `The run exceeded ${engineLimits.maxStepsPerRun} steps`,
          remediation: "Split the work over several runs, or loop over fewer items per run",
          nodeId: node.id,
        }),
      };
    }
    await this.journal.flushIfDue();
    // A worker shutting down yields between steps; the run stays due, for any worker to continue.
    if (this.options.signal?.aborted) return { suspend: { wakeAt: this.now(), waitpointIds: [] }, halt: true };
    if (!(await this.journal.stillOurs())) return { suspend: { wakeAt: null, waitpointIds: [] }, halt: true };
    const control = this.typeOf(node).behaviour?.run;
    if (!control) return this.executeStep(node, iterationPath, loop, existing);
    try {
      return await control(this.controlContext(node, iterationPath, loop, existing));
    } catch (thrown) {
      // A control node's own failure (a template that does not resolve, say) fails its step like any other.
      if (!(thrown instanceof WorkflowError)) throw thrown;
      const error = toWorkflowError(thrown, node.id);
      const current = this.journal.latestOf(node.id, iterationPath);
      const open = current && (current.status === "running" || current.status === "waiting");
      await this.journal.record(
        node,
        iterationPath,
        { status: "failed", attempt: open ? current.attempt : (current?.attempt ?? 0) + 1, error, ...(open ? { startedAt: current.startedAt } : {}) },
        this.db,
        { keepInput: true },
      );
      return node.continueOnError ? "continue" : { fail: error };
    }
  }

  private controlContext(node: WorkflowNode, iterationPath: string, loop: LoopItem | undefined, existing: WorkflowRunStep | undefined): ControlContext {
    return {
      db: this.db,
      run: { id: this.run.id, dryRun: this.run.dryRun },
      node,
      iterationPath,
      now: () => this.now(),
      config: <T>() => this.config(node, iterationPath, loop) as T,
      existing,
      open: (status, { input, output, startedAt }) =>
        this.journal.record(node, iterationPath, { status, attempt: 1, input, output, startedAt }, this.db, { keepInput: true }),
      succeed: async (step, output, options = {}) => {
        await this.journal.close(step, "succeeded", { output }, { ...options, keepInput: true });
      },
      runBody: (index, item) => this.runScope(node.id, childPath(iterationPath, index), { item, index }),
    };
  }

  /** A node run by its type's executor: one attempt, recorded; retries are durable suspensions. */
  private async executeStep(node: WorkflowNode, iterationPath: string, loop: LoopItem | undefined, existing: WorkflowRunStep | undefined): Promise<Flow> {
    const executor = this.typeOf(node).executor;
    if (existing?.status === "running") {
      const resolved = await this.recoverInterrupted(node, executor, existing);
      if (resolved !== "retry") return resolved;
    }
    const attempt = (this.journal.latestOf(node.id, iterationPath)?.attempt ?? 0) + 1;
    const startedAt = this.now();
    let input: Record<string, unknown> = {};
    try {
      input = this.config(node, iterationPath, loop);
      const blocked = this.policy && blockedReason(this.policy, this.typeOf(node));
      if (blocked) throw policyBlockedError(this.typeOf(node), blocked, node.id);
      if (!executor) throw new WorkflowError("E_VALIDATION", { message: `No executor for node type "${node.type}"`, nodeId: node.id });
      const output = await this.perform(node, executor, iterationPath, attempt, input, startedAt);
      const done = { status: "succeeded" as const, attempt, input, output, startedAt };
      if (!this.run.dryRun && executor.effectful) {
        // An effect is completed in the same transaction as its step, so no crash can separate them.
        // Cancelled during the call: the outcome is still recorded, then the walk stops.
        await this.journal.flush();
        const owner = await this.db.$transaction(async (tx) => {
          const owner = await this.journal.ownerAfterCall(tx);
          const idempotencyKey = stepIdempotencyKey(this.run.id, node.id, iterationPath);
          await tx.runEffect.update({
            where: { idempotencyKey },
            data: { status: "completed", completedAt: this.now(), ...this.reported.get(idempotencyKey) },
          });
          await this.journal.record(node, iterationPath, done, tx);
          if (owner === "cancelled") await this.journal.settleAttention(tx);
          return owner;
        });
        if (owner === "cancelled") throw new LostOwnership();
      } else {
        // Without effects a step's record can wait for the next commit.
        await this.journal.record(node, iterationPath, done, this.db, { defer: true });
      }
      return "continue";
    } catch (thrown) {
      if (thrown instanceof LostOwnership) throw thrown;
      // Cut short by this worker's shutdown (the call saw the abort): not the step's failure, and
      // not one of its attempts; the run is handed back for any worker to run the step again.
      if (this.options.signal?.aborted) {
        await this.journal.record(node, iterationPath, {
          status: "failed",
          attempt,
          input,
          error: new WorkflowError("E_INTERRUPTED", { nodeId: node.id }),
          startedAt,
        });
        return { suspend: { wakeAt: this.now(), waitpointIds: [] }, halt: true };
      }
      const error = toWorkflowError(thrown, node.id);
      // Unexpected errors reach step records as E_INTERNAL without their text (it may hold internals): the log keeps it.
      if (!(thrown instanceof WorkflowError)) logger.error({ err: thrown, runId: this.run.id, nodeId: node.id }, "step failed with an unexpected error");
      await this.journal.record(node, iterationPath, { status: "failed", attempt, input, error, startedAt });
      // A rate limit (ours or the provider's) is a durable wait for the time asked, whatever the retry policy.
      if (error.code === "E_RATE_LIMITED" && attempt < engineLimits.maxRateLimitWaits) {
        return { suspend: { wakeAt: new Date(this.now().getTime() + (error.retryAfterMs ?? 1000)), waitpointIds: [] } };
      }
      const used = this.journal.attemptsOf(node.id, iterationPath) ?? attempt;
      const maxAttempts = node.retry?.maxAttempts ?? 1;
      if (error.retryable && used < maxAttempts) {
        const delay = error.retryAfterMs ?? retryDelayMs(node.retry!, used);
        return { suspend: { wakeAt: new Date(this.now().getTime() + delay), waitpointIds: [] } };
      }
      if (node.continueOnError) return "continue";
      return { fail: error };
    }
  }

  private async perform(
    node: WorkflowNode,
    executor: NodeExecutor,
    iterationPath: string,
    attempt: number,
    input: Record<string, unknown>,
    startedAt: Date,
  ): Promise<unknown> {
    const ctx = this.context(node, iterationPath, attempt);
    // A dry run's output is the preview, shaped like the real output, so later steps can read it.
    if (this.run.dryRun) return executor.preview ? await executor.preview(ctx, input) : input;
    if (!executor.effectful) return executor.execute(ctx, input);
    // The effect is on record before the call, so a crash in between is detectable afterwards;
    // and only while this worker still holds the run, so two workers never both call out.
    let begun = false;
    ctx.beginEffect = async () => {
      if (begun) return;
      begun = true;
      const appId = node.type.split(".")[0]!;
      await ensureApp(this.db, appId);
      const undo = executor.undo ?? { strategy: "none" as const, canUndo: false };
      await this.journal.flush();
      await this.db.$transaction(async (tx) => {
        await this.journal.assertOwner(tx);
        const running = await this.journal.record(node, iterationPath, { status: "running", attempt, input, startedAt }, tx);
        ctx.stepId = running.id;
        await tx.runEffect.upsert({
          where: { idempotencyKey: ctx.idempotencyKey },
          create: {
            runId: this.run.id,
            stepId: running.id,
            nodeId: node.id,
            appId,
            action: node.type,
            idempotencyKey: ctx.idempotencyKey,
            undoStrategy: undo.strategy,
            canUndo: undo.canUndo,
            credentialId: this.reported.get(ctx.idempotencyKey)?.credentialId ?? null,
          },
          update: { stepId: running.id, status: "pending", credentialId: this.reported.get(ctx.idempotencyKey)?.credentialId ?? null },
        });
      });
    };
    if (!executor.announcesEffect) await ctx.beginEffect();
    try {
      const output = await executor.execute(ctx, input);
      if (!begun) throw new Error(`the executor of ${node.type} finished without putting its effect on record (beginEffect)`);
      return output;
    } catch (error) {
      if (error instanceof LostOwnership || !begun) throw error;
      await this.db.runEffect.update({
        where: { idempotencyKey: ctx.idempotencyKey },
        data: { status: "failed", completedAt: this.now(), ...this.reported.get(ctx.idempotencyKey) },
      });
      // Cancelled during the call: the effect is known now (it failed).
      await this.journal.settleAttention();
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
      beginEffect: async () => {},
    };
  }

  /**
   * A step left "running" by a worker that died. Without effects it simply runs again; with effects
   * it is reconciled where the executor can check, repeated only if the provider deduplicates, and
   * otherwise handed to a person — never blindly repeated.
   */
  private async recoverInterrupted(node: WorkflowNode, executor: NodeExecutor | undefined, step: WorkflowRunStep): Promise<Flow | "retry"> {
    const interrupted = new WorkflowError("E_INTERRUPTED", { nodeId: node.id });
    const effect = executor?.effectful
      ? await this.db.runEffect.findUnique({ where: { idempotencyKey: stepIdempotencyKey(this.run.id, node.id, step.iterationPath) } })
      : null;
    if (!executor?.effectful || !effect || effect.status === "failed") {
      await this.journal.close(step, "failed", { error: interrupted });
      return "retry";
    }
    const input = (step.input ?? {}) as Record<string, unknown>;
    // Asked through the connection the effect was made with, when its record names one.
    const through = effect.credentialId ? { ...node, connectionId: effect.credentialId } : node;
    const check = executor.reconcile
      ? await executor.reconcile(this.context(through, step.iterationPath, step.attempt), input)
      : { outcome: "unknown" as const };
    if (check.outcome === "done") {
      await this.db.runEffect.update({ where: { id: effect.id }, data: { status: "completed", completedAt: this.now() } });
      await this.journal.close(step, "succeeded", { output: check.output });
      return "continue";
    }
    if (check.outcome === "not_done" || executor.idempotent) {
      await this.journal.close(step, "failed", { error: interrupted });
      return "retry";
    }
    await this.db.runEffect.update({ where: { id: effect.id }, data: { status: "unknown" } });
    const unknown = new WorkflowError("E_EFFECT_UNKNOWN", { nodeId: node.id });
    await this.journal.close(step, "failed", { error: unknown });
    await this.db.workflowRun.update({ where: { id: this.run.id }, data: { needsAttention: true } });
    return { fail: unknown };
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
// A plan holds its node types, so plans are kept per catalog.
const PLANS_KEPT = 200;
const plansByCatalog = new WeakMap<NodeCatalog, Map<string, Plan>>();
async function planOf(db: Db, run: WorkflowRun, catalog: NodeCatalog): Promise<Plan> {
  if (!run.versionId || run.definition) return planDefinition(await runDefinition(db, run, catalog), catalog);
  let plans = plansByCatalog.get(catalog);
  if (!plans) plansByCatalog.set(catalog, (plans = new Map()));
  let plan = plans.get(run.versionId);
  if (plan) {
    plans.delete(run.versionId);
  } else {
    plan = planDefinition(await runDefinition(db, run, catalog), catalog);
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
  const [records, plan] = await Promise.all([
    steps ?? db.workflowRunStep.findMany({ where: { runId: run.id }, orderBy: [{ attempt: "asc" }] }),
    planOf(db, run, options.catalog),
  ]);
  return new Interpreter(db, run, plan, records, options).advance();
}
