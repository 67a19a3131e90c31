import type { Db, Tx } from "@/lib/db";
import { groupCommit } from "@/lib/db/group-commit";
import { newRowId } from "@/lib/db/ids";
import { Prisma, type WorkflowRun, type WorkflowRunStep } from "@/lib/generated/prisma/client";
import { redactSecrets } from "@/lib/redact";
import type { WorkflowNode } from "../definition";
import { errorCodes, WorkflowError, type ErrorCode } from "../errors";
import { ERROR_HANDLE } from "../node-types";
import type { Wait } from "./control";
import type { Plan } from "./plan";
import { endRun, suspendRun, type RunEnd } from "./run-state";

// The journal of one walk of a run: the step records it read and writes (every attempt is a
// WorkflowRunStep row), what they say about each node (done, through which handle, retries left),
// the batching of records that can wait for the next commit, the checks that the run is still
// this walk's, and the run's end or suspension. The graph walk (interpreter.ts) decides what to
// execute; this is the only place that writes its records.

/** Another worker recorded this step first: the run is no longer ours (our lease lapsed). */
export class LostOwnership extends Error {}

export type AdvanceResult =
  | { kind: "finished"; status: "succeeded" | "failed" | "cancelled" }
  /** wakeAt: when to continue (null: only when a waitpoint is completed); waitpointIds: the open approvals it waits on. */
  | { kind: "suspended"; wakeAt: Date | null; waitpointIds: string[] }
  /** The run is no longer ours (cancelled, or another worker took it): stop without writing. */
  | { kind: "lost" };

export type Outcome = { status: "succeeded" | "failed" | "skipped"; handle: string | null; output: unknown; error?: unknown };

export const engineLimits = { maxStepsPerRun: 10_000, maxRateLimitWaits: 50 } as const;
// How long, and how many, finished records of steps without effects may wait for a commit.
const FLUSH_AFTER_MS = 20;
const FLUSH_AFTER_RECORDS = 100;
// How often, at most, a walk re-reads the run to see that it is still its own.
const STATUS_CHECK_EVERY_MS = 50;

// Interrupted attempts (the worker died or stopped) and rate-limited ones (we were told to wait)
// do not count against the node's retries.
const WAIT_NOT_FAIL = new Set(["E_INTERRUPTED", "E_RATE_LIMITED"]);

const key = (nodeId: string, iterationPath: string) => `${nodeId}@${iterationPath}`;
const jsonText = (value: unknown): string | null => (value === undefined ? null : (JSON.stringify(value) ?? null));
const isUniqueViolation = (error: unknown) => {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === "P2002") return true;
  // raw statements report the driver's error: P2010 with the Postgres code
  const cause = (error.meta as { driverAdapterError?: { cause?: { originalCode?: string } } } | undefined)?.driverAdapterError?.cause;
  return error.code === "P2010" && cause?.originalCode === "23505";
};
/** A run's end with its last records: the run's UPDATE (whether it closed tells whether the run was still ours) and the record writes. */
type Closing = { close: Prisma.Sql; writes: Prisma.Sql[] };
/** Postgres takes at most 65,535 parameters in one statement; runs' endings are grouped below that. */
const MAX_SHARED_PARAMETERS = 30_000;
/**
 * Ends runs that finish at the same moment in one statement, each its own set of WITH clauses
 * (data-modifying clauses all run, read or not), answering for each whether its run closed. A
 * unique violation in one (a lost lease) refuses the statement; each is then written alone.
 */
const closeTogether = groupCommit<Closing, boolean>({
  take: (items) => {
    let parameters = 0;
    let count = 0;
    for (const item of items) {
      parameters += item.close.values.length + item.writes.reduce((sum, w) => sum + w.values.length, 0);
      if (count > 0 && parameters > MAX_SHARED_PARAMETERS) break;
      count++;
    }
    return count;
  },
  write: async (db, items) => {
    const clauses = items.flatMap((item, i) => [
      Prisma.sql`${Prisma.raw(`closed${i}`)} AS (${item.close} RETURNING 1)`,
      ...item.writes.map((write, j) => Prisma.sql`${Prisma.raw(`write${i}_${j}`)} AS (${write})`),
    ]);
    const counts = items.map((_, i) => Prisma.raw(`(SELECT count(*) FROM closed${i})::int`));
    const [row] = await db.$queryRaw<{ closed: number[] }[]>`WITH ${Prisma.join(clauses, ", ")} SELECT ARRAY[${Prisma.join(counts, ", ")}] AS closed`;
    return row!.closed.map((count) => count > 0);
  },
});
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

const isKnownCode = (code: string | null): code is ErrorCode => code !== null && code in errorCodes;

export type StepValues = { status: WorkflowRunStep["status"]; attempt: number; input?: unknown; output?: unknown; error?: WorkflowError; startedAt?: Date };

export class Journal {
  private readonly latest = new Map<string, WorkflowRunStep>();
  private readonly attemptsUsed = new Map<string, number>();
  /** Records this run holds, for the step cap. */
  count: number;
  /** Some node of this walk has to wait: the run cannot finish in this walk. */
  waiting = false;
  private nextSeq: number;
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
  closed: AdvanceResult | null = null;

  constructor(
    private readonly db: Db,
    private readonly run: WorkflowRun,
    private readonly plan: Plan,
    steps: WorkflowRunStep[],
    private readonly options: { leaseOwner?: string; now: () => Date },
  ) {
    // The run was read as ours just now (or claimed with the same statement that returned it).
    this.lastStatusCheck = Date.now();
    this.count = steps.length;
    this.nextSeq = steps.reduce((max, step) => Math.max(max, step.seq), 0) + 1;
    for (const step of steps) this.remember(step);
  }

  now(): Date {
    return this.options.now();
  }

  /** The latest attempt's record of a node at exactly this iteration path. */
  latestOf(nodeId: string, iterationPath: string): WorkflowRunStep | undefined {
    return this.latest.get(key(nodeId, iterationPath));
  }

  attemptsOf(nodeId: string, iterationPath: string): number | undefined {
    return this.attemptsUsed.get(key(nodeId, iterationPath));
  }

  private remember(step: WorkflowRunStep) {
    const k = key(step.nodeId, step.iterationPath);
    const previous = this.latest.get(k);
    if (!previous || previous.attempt <= step.attempt) this.latest.set(k, step);
    if ((step.status === "failed" || step.status === "succeeded") && !WAIT_NOT_FAIL.has(step.errorCode ?? "")) {
      this.attemptsUsed.set(k, (this.attemptsUsed.get(k) ?? 0) + 1);
    }
  }

  /** The finished outcome of a node at this iteration path, looking outwards through enclosing loops. */
  outcomeOf(nodeId: string, iterationPath: string): Outcome | undefined {
    let path = iterationPath;
    for (;;) {
      const step = this.latest.get(key(nodeId, path));
      if (step) return this.finishedOutcome(this.plan.nodes.get(nodeId)!, step);
      if (path === "") return undefined;
      path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
    }
  }

  finishedOutcome(node: WorkflowNode, step: WorkflowRunStep): Outcome | undefined {
    if (step.status === "running" || step.status === "waiting" || step.status === "cancelled") return undefined;
    if (step.status === "failed" && !this.isFinalFailure(node, step)) return undefined;
    const error = step.errorCode ? { code: step.errorCode, message: step.errorMessage, remediation: step.errorRemediation } : undefined;
    return { status: step.status, handle: this.handleOf(node, step), output: step.output, error };
  }

  /** The handle a finished step leaves through, derived from its record and its node type. */
  private handleOf(node: WorkflowNode, step: WorkflowRunStep): string | null {
    if (step.status === "skipped") return null;
    if (step.status === "failed") return node.continueOnError ? ERROR_HANDLE : null;
    const handle = this.plan.types.get(node.id)?.behaviour?.handle;
    return handle ? handle(step.output) : "out";
  }

  private isFinalFailure(node: WorkflowNode, step: WorkflowRunStep): boolean {
    const retryable = step.errorRetryable ?? (isKnownCode(step.errorCode) && errorCodes[step.errorCode].retryable);
    if (!retryable) return true;
    if (step.errorCode === "E_RATE_LIMITED") return step.attempt >= engineLimits.maxRateLimitWaits;
    const used = this.attemptsUsed.get(key(node.id, step.iterationPath)) ?? 0;
    return step.errorCode !== "E_INTERRUPTED" && used >= (node.retry?.maxAttempts ?? 1);
  }

  /** The error a failed record holds, whole: code, message and remediation as recorded. */
  errorOf(node: WorkflowNode, step: WorkflowRunStep): WorkflowError {
    return new WorkflowError(isKnownCode(step.errorCode) ? step.errorCode : "E_INTERNAL", {
      message: step.errorMessage ?? undefined,
      remediation: step.errorRemediation ?? undefined,
      nodeId: node.id,
    });
  }

  async record(
    node: WorkflowNode,
    iterationPath: string,
    values: StepValues,
    db: Db | Tx = this.db,
    options: { defer?: boolean; keepInput?: boolean } = {},
  ): Promise<WorkflowRunStep> {
    const finished = values.status !== "running" && values.status !== "waiting";
    const startedAt = values.startedAt ?? this.now();
    const finishedAt = finished ? this.now() : null;
    const existing = this.latest.get(key(node.id, iterationPath));
    // What a step was given is kept without its secrets; control nodes keep theirs whole (a loop
    // and a wait read their own record back).
    const input = jsonText(options.keepInput ? values.input : redactSecrets(values.input));
    const output = jsonText(values.output);
    const data = {
      status: values.status,
      input: input === null ? null : (JSON.parse(input) as Prisma.JsonValue),
      output: output === null ? null : (JSON.parse(output) as Prisma.JsonValue),
      errorCode: values.error?.code ?? null,
      errorMessage: values.error?.message ?? null,
      errorRemediation: values.error?.remediation ?? null,
      errorRetryable: values.error ? values.error.retryable : null,
      finishedAt,
      durationMs: finishedAt ? finishedAt.getTime() - startedAt.getTime() : null,
    };
    // The last node of the run, done: the run is finished in the same statement (one commit, and
    // no moment where every step is recorded but the run is still running).
    const closesRun = (values.status === "succeeded" || values.status === "skipped") && this.isLastNode(node, iterationPath);
    const ctes: Prisma.Sql[] = [];
    if (closesRun)
      ctes.push(
        Prisma.sql`closed AS (${endRun({ runId: this.run.id, leaseOwner: this.options.leaseOwner, status: "succeeded", at: finishedAt! })} RETURNING 1)`,
      );
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
             "errorCode" = ${data.errorCode}, "errorMessage" = ${data.errorMessage}, "errorRemediation" = ${data.errorRemediation}, "errorRetryable" = ${data.errorRetryable},
             "finishedAt" = ${finishedAt}, "durationMs" = ${data.durationMs}
       WHERE id = ${existing.id}`;
    } else {
      step = { id: newRowId(), runId: this.run.id, nodeId: node.id, iterationPath, attempt: values.attempt, seq: this.nextSeq++, startedAt, ...data };
      write = Prisma.sql`INSERT INTO "WorkflowRunStep" (id, "runId", "nodeId", "iterationPath", attempt, seq, status, input, output, "errorCode", "errorMessage", "errorRemediation", "errorRetryable", "startedAt", "finishedAt", "durationMs")
        VALUES (${step.id}, ${step.runId}, ${step.nodeId}, ${iterationPath}, ${values.attempt}, ${step.seq}, ${data.status}::"StepStatus", ${input}::jsonb, ${output}::jsonb,
                ${data.errorCode}, ${data.errorMessage}, ${data.errorRemediation}, ${data.errorRetryable}, ${startedAt}, ${finishedAt}, ${data.durationMs})`;
    }
    if (defer) return this.deferred(write, step);
    if (closesRun && db === this.db) {
      // The run's end shares one statement with other runs ending at the same moment.
      const closed = await ownedWrite(
        closeTogether(this.db, {
          close: endRun({ runId: this.run.id, leaseOwner: this.options.leaseOwner, status: "succeeded", at: finishedAt! }),
          writes: [...pending, write],
        }),
      );
      if (pending.length > 0) this.pending = this.pending.slice(pending.length);
      this.closed = closed ? { kind: "finished", status: "succeeded" } : { kind: "lost" };
      this.remember(step);
      return step;
    }
    const statement = Prisma.sql`${prefix}${write}${closedCount}`;
    const rows = await ownedWrite<number | { closed: number }[]>(closesRun ? db.$queryRaw<{ closed: number }[]>(statement) : db.$executeRaw(statement));
    if (inPlace && rows === 0) throw new Error(`step record ${existing.id} is gone`);
    if (pending.length > 0) this.pending = this.pending.slice(pending.length);
    if (closesRun && typeof rows !== "number") this.closed = rows[0]?.closed ? { kind: "finished", status: "succeeded" } : { kind: "lost" };
    this.remember(step);
    return step;
  }

  /** Completes an open record (running or waiting) of the same attempt. */
  async close(
    step: WorkflowRunStep,
    status: "succeeded" | "failed",
    values: { output?: unknown; error?: WorkflowError },
    options: { defer?: boolean; keepInput?: boolean } = {},
  ) {
    const node = this.plan.nodes.get(step.nodeId)!;
    return this.record(
      node,
      step.iterationPath,
      { status, attempt: step.attempt, startedAt: step.startedAt, input: step.input ?? undefined, ...values },
      this.db,
      options,
    );
  }

  /** Whether a node is the run's last: the last of the top level in walk order, with nothing of this walk waiting. */
  private isLastNode(node: WorkflowNode, iterationPath: string): boolean {
    const order = this.plan.scopes.get("")!.order;
    // Not while another branch waits: then the run is not done when its last node is.
    return iterationPath === "" && order[order.length - 1] === node && !this.waiting;
  }

  private deferred(statement: Prisma.Sql, step: WorkflowRunStep): WorkflowRunStep {
    if (this.pending.length === 0) this.pendingSince = Date.now();
    this.pending.push(statement);
    this.remember(step);
    return step;
  }

  /** Writes the deferred records if the oldest has waited long enough, or too many wait. */
  async flushIfDue() {
    if (this.pending.length > 0 && (Date.now() - this.pendingSince >= FLUSH_AFTER_MS || this.pending.length >= FLUSH_AFTER_RECORDS)) await this.flush();
  }

  /** Writes the deferred records now, in one statement. */
  async flush() {
    const pending = this.pending;
    if (pending.length === 0) return;
    const [first, ...rest] = pending;
    await ownedWrite(this.db.$executeRaw(rest.length === 0 ? first! : Prisma.sql`WITH ${Prisma.join(deferredClauses(rest), ", ")} ${first!}`));
    this.pending = this.pending.slice(pending.length);
  }

  /** Locks the run row and checks this worker still holds it; a lapsed lease means another worker took over. */
  async assertOwner(tx: Tx) {
    if ((await this.ownerAfterCall(tx)) !== "ours") throw new LostOwnership();
  }

  /**
   * assertOwner for a call with effects that has returned: the run may have been cancelled
   * meanwhile, and then the call's outcome is still this walk's to record ("cancelled").
   */
  async ownerAfterCall(tx: Tx): Promise<"ours" | "cancelled"> {
    const [row] = await tx.$queryRaw<
      { status: string; leaseOwner: string | null }[]
    >`SELECT status, "leaseOwner" FROM "WorkflowRun" WHERE id = ${this.run.id} FOR UPDATE`;
    if (row?.status === "cancelled") return "cancelled";
    if (row?.status === "running" && (!this.options.leaseOwner || row.leaseOwner === this.options.leaseOwner)) return "ours";
    throw new LostOwnership();
  }

  /** A cancelled run needs attention while, and only while, one of its effects is unknown. */
  async settleAttention(db: Db | Tx = this.db) {
    await db.$executeRaw`UPDATE "WorkflowRun" SET "needsAttention" = EXISTS (SELECT 1 FROM "RunEffect" WHERE "runId" = ${this.run.id} AND status = 'unknown')
      WHERE id = ${this.run.id} AND status = 'cancelled'`;
  }

  /** Cheap, rate-limited check that the run was not cancelled or taken over meanwhile. */
  async stillOurs(): Promise<boolean> {
    const now = Date.now();
    if (now - this.lastStatusCheck < STATUS_CHECK_EVERY_MS) return true;
    this.lastStatusCheck = now;
    const current = await this.db.workflowRun.findUnique({ where: { id: this.run.id }, select: { status: true, leaseOwner: true } });
    return current?.status === "running" && (!this.options.leaseOwner || current.leaseOwner === this.options.leaseOwner);
  }

  /** Ends the run: succeeded, or failed with the error (closing what other branches waited on). */
  async finish(status: RunEnd, error?: WorkflowError): Promise<AdvanceResult> {
    await this.flush();
    const end = endRun({ runId: this.run.id, leaseOwner: this.options.leaseOwner, status, at: this.now(), error });
    const count =
      status === "succeeded"
        ? await this.db.$executeRaw(end)
        : await this.db.$transaction(async (tx) => {
            const ended = await tx.$executeRaw(end);
            if (ended === 0) return ended;
            // A branch that was waiting when another one failed the run: its wait ends with the run.
            const now = this.now();
            await tx.workflowRunStep.updateMany({ where: { runId: this.run.id, status: "waiting" }, data: { status: "cancelled", finishedAt: now } });
            await tx.waitpoint.updateMany({ where: { runId: this.run.id, completedAt: null }, data: { completedAt: now, result: { runEnded: true } } });
            return ended;
          });
    return count === 0 ? { kind: "lost" } : { kind: "finished", status };
  }

  /** Hands the run back until its earliest wait is due (or a waitpoint is completed). */
  async suspend({ wakeAt: due, waitpointIds }: Wait): Promise<AdvanceResult> {
    // A run with a time limit wakes up at it at the latest, to fail then rather than when the wait ends.
    const limit = this.run.timeoutAt;
    await this.flush();
    const suspended = await suspendRun(this.db, {
      runId: this.run.id,
      leaseOwner: this.options.leaseOwner,
      wakeAt: limit && (due === null || limit < due) ? limit : due,
    });
    return suspended ? { kind: "suspended", wakeAt: suspended.wakeAt, waitpointIds } : { kind: "lost" };
  }
}
