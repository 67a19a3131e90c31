import { randomBytes } from "node:crypto";
import { z } from "zod";
import { audit } from "@/lib/audit";
import { requireRole, type Caller } from "@/lib/auth/roles";
import type { Db } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import { Prisma, type RunStatus } from "@/lib/generated/prisma/client";
import { authorizeDecision, linkApproverFor } from "./approvers";
import { hashToken } from "./control/approval";
import { systemClock, type Clock } from "./engine/clock";
import { cancelRunState, wakeRun } from "./engine/run-state";
import { runHost } from "./hosts";
import type { NodeCatalog } from "./node-types";
import { policySelect, readSnapshot, snapshotPolicy, type PolicySnapshot } from "./policy";
import { acceptDefinition } from "./store";
import { insertRun, startFacts, type RunInsert } from "./starts";

// Runs as people and the API see them: start, read, list, cancel, replay, and decide approvals.
// Execution itself is the interpreter's (engine/interpreter.ts), driven by a host.

export const startRunSchema = z.object({
  payload: z.unknown().optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
  version: z.enum(["published", "draft"]).default("published"),
  dryRun: z.boolean().default(false),
  /** Fails the run if it has not finished this long after starting. */
  timeoutMs: z
    .number()
    .int()
    .min(1000)
    .max(366 * 24 * 3_600_000)
    .optional(),
});
export const listRunsSchema = z.object({
  workflowId: z.string().max(64).optional(),
  status: z.enum(["queued", "running", "waiting", "succeeded", "failed", "cancelled"]).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(64).optional(),
});
export const completeWaitpointSchema = z.object({ approved: z.boolean(), comment: z.string().trim().max(2000).optional() });

const MAX_PAYLOAD_BYTES = 1_000_000;

export type RunSummary = {
  id: string;
  workflowId: string;
  workflowName: string;
  status: RunStatus;
  version: number | "draft";
  dryRun: boolean;
  /** The definition's trigger type ("manual" for Run now and the API), and where a manual start came from ("ui", "api", "cli"). */
  triggerType: string;
  triggerSource: string | null;
  needsAttention: boolean;
  error: RunError | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};
/** A run's or step's error as people see it: what happened, and what to do about it. */
export type RunError = { code: string; message: string; remediation: string | null; retryable?: boolean };
export type StepAttempt = {
  id: string;
  nodeId: string;
  /** The node's name in the definition the run executes (the id when it has none). */
  nodeName: string;
  iterationPath: string;
  attempt: number;
  status: string;
  input: unknown;
  output: unknown;
  error: RunError | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
};
export type OpenWaitpoint = { id: string; nodeId: string; kind: string; timeoutAt: string | null; message: string | null };
export type RunDetail = RunSummary & {
  payload: unknown;
  replayOf: string | null;
  /** The policy the run was created under (null: made before policies, nothing blocked). */
  policy: PolicySnapshot | null;
  steps: StepAttempt[];
  waitpoints: OpenWaitpoint[];
  etag: string;
};

const summaryInclude = { workflow: { select: { name: true } }, version: { select: { number: true } } } as const;
type RunRow = Prisma.WorkflowRunGetPayload<{ include: typeof summaryInclude }>;

function summarize(run: RunRow): RunSummary {
  return {
    id: run.id,
    workflowId: run.workflowId,
    workflowName: run.workflow.name,
    status: run.status,
    version: run.version?.number ?? "draft",
    dryRun: run.dryRun,
    triggerType: run.triggerType,
    triggerSource: run.triggerSource,
    needsAttention: run.needsAttention,
    error: run.errorCode ? { code: run.errorCode, message: run.errorMessage ?? "", remediation: run.errorRemediation } : null,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

async function findRun(db: Db, caller: Caller, id: string): Promise<RunRow> {
  const run = await db.workflowRun.findFirst({ where: { id, companyId: caller.companyId }, include: summaryInclude });
  if (!run) throw notFound("Run");
  return run;
}

/**
 * Queues a run of the published version (or of the draft, frozen now, for test runs). An
 * idempotency key already used for this workflow returns that run instead of starting another.
 */
export async function startRun(
  db: Db,
  catalog: NodeCatalog,
  caller: Caller,
  workflowId: string,
  raw: unknown,
  trigger: { type: string; source?: string; correlationId?: string } = { type: "manual", source: "ui" },
  /** The hosts' clock, which the run's time limit is measured against (tests move it forward). */
  clock: Clock = systemClock,
): Promise<{ run: RunSummary; created: boolean }> {
  const input = startRunSchema.parse(raw);
  const payload = input.payload ?? {};
  if (JSON.stringify(payload).length > MAX_PAYLOAD_BYTES) {
    throw new AppError("bad_request", `The payload is larger than ${MAX_PAYLOAD_BYTES / 1_000_000} MB`, {
      issues: [{ path: ["payload"], message: "Too large" }],
    });
  }
  let definition: unknown = null;
  if (input.version === "draft") {
    const found = await db.workflow.findFirst({ where: { id: workflowId, companyId: caller.companyId, deletedAt: null }, select: { draft: true } });
    if (!found) throw notFound("Workflow");
    definition = JSON.parse(JSON.stringify(acceptDefinition(catalog, found.draft, "strict")));
  }
  // The facts are cached; the insert only succeeds where they still hold, so a miss reads them again
  // (a publish, rename or policy change by any process in between).
  for (let attempt = 0; ; attempt++) {
    const facts = await startFacts(db, caller.companyId, workflowId, attempt > 0);
    if (!facts) throw notFound("Workflow");
    if (input.version === "published" && !facts.publishedVersionId) {
      throw new AppError("conflict", "This workflow has no published version", {
        remediation: 'Publish it first, or start a test run of the draft with version: "draft".',
      });
    }
    const versionId = input.version === "published" ? facts.publishedVersionId : null;
    const row: RunInsert = {
      facts,
      versionId,
      definition,
      dryRun: input.dryRun,
      triggerType: trigger.type,
      triggerSource: trigger.source ?? null,
      triggerPayload: payload,
      correlationId: trigger.correlationId ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
      startedById: caller.userId,
      policy: snapshotPolicy(parseJson(facts.companyPolicy), parseJson(facts.workflowPolicy)),
      timeoutAt: input.timeoutMs ? new Date(clock.now().getTime() + input.timeoutMs) : null,
    };
    const outcome = await insertRun(db, row);
    if ("inserted" in outcome) {
      const { id, createdAt } = outcome.inserted;
      return {
        created: true,
        run: {
          id,
          workflowId,
          workflowName: facts.name,
          status: "queued",
          version: versionId ? facts.versionNumber! : "draft",
          dryRun: row.dryRun,
          triggerType: row.triggerType,
          triggerSource: row.triggerSource,
          needsAttention: false,
          error: null,
          createdAt: createdAt.toISOString(),
          startedAt: null,
          finishedAt: null,
        },
      };
    }
    if ("existingRunId" in outcome) return { run: summarize(await findRun(db, caller, outcome.existingRunId)), created: false };
    if (attempt >= 3) {
      throw new AppError("conflict", "The workflow changed while the run was starting", { remediation: "Start it again." });
    }
  }
}

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export async function getRun(db: Db, caller: Caller, id: string): Promise<RunDetail> {
  const run = await findRun(db, caller, id);
  const [steps, waitpoints, names] = await Promise.all([
    db.workflowRunStep.findMany({ where: { runId: id }, orderBy: [{ seq: "asc" }, { attempt: "asc" }] }),
    db.waitpoint.findMany({ where: { runId: id, completedAt: null }, orderBy: { createdAt: "asc" } }),
    nodeNames(db, run),
  ]);
  const approvalMessages = new Map(
    steps.filter((s) => s.status === "waiting").map((s) => [s.nodeId, ((s.input ?? {}) as { message?: string }).message ?? null]),
  );
  const last = steps.reduce((max, s) => Math.max(max, (s.finishedAt ?? s.startedAt).getTime()), 0);
  return {
    ...summarize(run),
    payload: run.triggerPayload,
    replayOf: run.replayOfRunId,
    policy: readSnapshot(run.policy),
    steps: steps.map((s) => ({
      id: s.id,
      nodeId: s.nodeId,
      nodeName: names.get(s.nodeId) ?? s.nodeId,
      iterationPath: s.iterationPath,
      attempt: s.attempt,
      status: s.status,
      input: s.input,
      output: s.output,
      error: s.errorCode
        ? {
            code: s.errorCode,
            message: s.errorMessage ?? "",
            remediation: s.errorRemediation,
            ...(s.errorRetryable === null ? {} : { retryable: s.errorRetryable }),
          }
        : null,
      startedAt: s.startedAt.toISOString(),
      finishedAt: s.finishedAt?.toISOString() ?? null,
      durationMs: s.durationMs,
    })),
    waitpoints: waitpoints.map((w) => ({
      id: w.id,
      nodeId: w.nodeId,
      kind: w.kind,
      timeoutAt: w.timeoutAt?.toISOString() ?? null,
      message: approvalMessages.get(w.nodeId) ?? null,
    })),
    // Changes whenever anything visible changes: followers poll with If-None-Match.
    etag: `W/"${run.status}-${steps.length}-${last}-${waitpoints.length}"`,
  };
}

/** Node names of the definition a run executes, read from its stored JSON (a version is immutable; a test run's draft is frozen). */
async function nodeNames(db: Db, run: RunRow): Promise<Map<string, string>> {
  const definition =
    run.definition ??
    (run.versionId ? (await db.workflowVersion.findUnique({ where: { id: run.versionId }, select: { definition: true } }))?.definition : null);
  const nodes = (definition as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return new Map();
  return new Map(
    nodes.flatMap((node: unknown) => {
      const { id, name } = (node ?? {}) as { id?: unknown; name?: unknown };
      return typeof id === "string" && typeof name === "string" ? [[id, name] as const] : [];
    }),
  );
}

export async function listRuns(db: Db, caller: Caller, raw: unknown = {}): Promise<{ runs: RunSummary[]; nextCursor: string | null }> {
  const { workflowId, status, from, to, limit, cursor } = listRunsSchema.parse(raw);
  const rows = await db.workflowRun.findMany({
    where: {
      companyId: caller.companyId,
      ...(workflowId ? { workflowId } : {}),
      ...(status ? { status } : {}),
      ...(from || to ? { createdAt: { ...(from ? { gte: new Date(from) } : {}), ...(to ? { lt: new Date(to) } : {}) } } : {}),
    },
    include: summaryInclude,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  return { runs: rows.slice(0, limit).map(summarize), nextCursor: rows.length > limit ? rows[limit - 1]!.id : null };
}

const TERMINAL: RunStatus[] = ["succeeded", "failed", "cancelled"];

/** Cancels a queued, running or waiting run; a running one stops before its next step. */
export async function cancelRun(db: Db, caller: Caller, id: string): Promise<RunSummary> {
  requireRole(caller, "admin");
  const run = await findRun(db, caller, id);
  if (TERMINAL.includes(run.status)) throw new AppError("conflict", `The run already ${run.status === "cancelled" ? "was cancelled" : run.status}`);
  await db.$transaction(async (tx) => {
    const now = new Date();
    await cancelRunState(tx, id, now);
    // A call with effects in flight is let finish: the worker still records its outcome. Until it
    // does (it may never, if it dies) the effect is unknown and the run needs a person's look.
    const inFlight = await tx.runEffect.updateMany({ where: { runId: id, status: "pending", step: { status: "running" } }, data: { status: "unknown" } });
    if (inFlight.count > 0) await tx.workflowRun.update({ where: { id }, data: { needsAttention: true } });
    await tx.workflowRunStep.updateMany({
      where: { runId: id, OR: [{ status: "waiting" }, { status: "running", effects: { none: { status: "unknown" } } }] },
      data: { status: "cancelled", finishedAt: now },
    });
    await tx.waitpoint.updateMany({ where: { runId: id, completedAt: null }, data: { completedAt: now, result: { cancelled: true } } });
    await audit(tx, { companyId: caller.companyId, actorUserId: caller.userId, actorApiKey: caller.apiKeyId }, "run.cancelled", "run", id, {
      from: run.status,
    });
  });
  await runHost().cancelled(db, id);
  return summarize(await findRun(db, caller, id));
}

/**
 * A new run of the same version and payload that reuses every step that finished well (their
 * records are copied, not re-executed) and continues from the failed step.
 */
export async function replayRun(db: Db, caller: Caller, id: string): Promise<RunSummary> {
  requireRole(caller, "admin");
  const run = await findRun(db, caller, id);
  if (!TERMINAL.includes(run.status) || run.status === "succeeded") {
    throw new AppError("conflict", "Only a failed or cancelled run can be replayed", { remediation: "Start a new run instead." });
  }
  // A replay is a new start: it runs under the policy in force now (an admin may just have allowed the step that failed).
  const original = await db.workflowRun.findUniqueOrThrow({ where: { id }, include: { workflow: { select: policySelect } } });
  const replay = await db.$transaction(async (tx) => {
    const created = await tx.workflowRun.create({
      data: {
        companyId: original.companyId,
        workflowId: original.workflowId,
        versionId: original.versionId,
        definition: original.definition ?? Prisma.DbNull,
        dryRun: original.dryRun,
        triggerType: original.triggerType,
        triggerSource: original.triggerSource,
        triggerPayload: original.triggerPayload ?? {},
        correlationId: original.correlationId ?? original.id,
        startedById: caller.userId ?? original.startedById,
        replayOfRunId: original.id,
        policy: snapshotPolicy(original.workflow.company.policy, original.workflow.policy),
      },
      include: summaryInclude,
    });
    const reusable = await tx.workflowRunStep.findMany({ where: { runId: id, status: { in: ["succeeded", "skipped"] } } });
    // A loop that did not finish is re-entered and reuses its finished iterations step by step;
    // waits and approvals that completed keep their outcome.
    await tx.workflowRunStep.createMany({
      data: reusable.map((s) => ({
        runId: created.id,
        nodeId: s.nodeId,
        iterationPath: s.iterationPath,
        attempt: s.attempt,
        seq: s.seq,
        status: s.status,
        input: s.input ?? Prisma.DbNull,
        output: s.output ?? Prisma.DbNull,
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
        durationMs: s.durationMs,
      })),
    });
    await audit(tx, { companyId: caller.companyId, actorUserId: caller.userId, actorApiKey: caller.apiKeyId }, "run.replayed", "run", created.id, { of: id });
    return created;
  });
  await runHost().enqueue(db, [replay.id]);
  return summarize(replay);
}

/**
 * A new run with the finished run's payload, on the latest of what it ran: the current published
 * version (for when the workflow was fixed after a failure), or, for a test run of the draft, the
 * current draft. It keeps the run's mode: a dry run reruns dry. Unlike a replay, every step runs again.
 */
export async function rerunOnLatest(db: Db, catalog: NodeCatalog, caller: Caller, id: string): Promise<RunSummary> {
  requireRole(caller, "admin");
  const run = await findRun(db, caller, id);
  if (!TERMINAL.includes(run.status)) {
    throw new AppError("conflict", "The run has not finished yet", { remediation: "Wait for it to finish, or cancel it, before running it again." });
  }
  const { run: created } = await startRun(
    db,
    catalog,
    caller,
    run.workflowId,
    { payload: run.triggerPayload ?? {}, version: run.versionId ? "published" : "draft", dryRun: run.dryRun },
    { type: run.triggerType, ...(run.triggerSource ? { source: run.triggerSource } : {}), correlationId: run.correlationId ?? run.id },
  );
  await audit(db, { companyId: caller.companyId, actorUserId: caller.userId, actorApiKey: caller.apiKeyId }, "run.rerun", "run", created.id, { of: id });
  return created;
}

/** Approves or rejects an open approval; the run continues on the matching branch. */
export async function completeWaitpoint(
  db: Db,
  decider: { caller: Caller } | { token: string },
  waitpointId: string,
  raw: unknown,
): Promise<{ runId: string; decision: "approved" | "rejected" }> {
  const { approved, comment } = completeWaitpointSchema.parse(raw);
  const waitpoint = await db.waitpoint.findUnique({ where: { id: waitpointId }, include: { run: { select: { id: true, companyId: true } } } });
  const allowed =
    waitpoint &&
    ("caller" in decider
      ? waitpoint.run.companyId === decider.caller.companyId
      : waitpoint.tokenHash !== null && waitpoint.tokenHash === hashToken(decider.token));
  if (!waitpoint || !allowed || waitpoint.kind !== "approval") throw notFound("Approval");
  // Shown on the run page as who decided; refuses people and keys the step's approvers leave out.
  const { by, userId: deciderUserId } = await authorizeDecision(db, waitpoint.run.companyId, waitpoint, decider);
  const result = { approved, by, ...(comment ? { comment } : {}) };
  await db.$transaction(async (tx) => {
    // Single use: the first decision wins, a second (or a link used twice) is refused.
    const { count } = await tx.waitpoint.updateMany({
      where: { id: waitpointId, completedAt: null },
      data: { completedAt: new Date(), result, ...(deciderUserId ? { completedById: deciderUserId } : {}) },
    });
    if (count === 0)
      throw new AppError("conflict", "This approval was already decided, or the run ended", { remediation: "Open the run to see the decision." });
    // Due now, whether the run is parked or still running another branch: never lost until a timeout.
    await wakeRun(tx, waitpoint.runId, new Date());
    await audit(
      tx,
      { companyId: waitpoint.run.companyId, actorUserId: deciderUserId, actorApiKey: "caller" in decider ? decider.caller.apiKeyId : null },
      approved ? "approval.approved" : "approval.rejected",
      "run",
      waitpoint.runId,
      { node: waitpoint.nodeId, by, ...(comment ? { comment } : {}) },
    );
  });
  await runHost().resume(db, waitpointId, result);
  return { runId: waitpoint.runId, decision: approved ? "approved" : "rejected" };
}

/** A fresh single-use approval link token for a waitpoint (its hash replaces the previous one). */
export async function approvalLinkToken(db: Db, caller: Caller, waitpointId: string, approver?: string): Promise<string> {
  requireRole(caller, "admin");
  const token = randomBytes(24).toString("base64url");
  const open = await db.waitpoint.findFirst({ where: { id: waitpointId, kind: "approval", completedAt: null, run: { companyId: caller.companyId } } });
  if (!open) throw notFound("Approval");
  const linkApprover = await linkApproverFor(db, caller.companyId, open, approver);
  const { count } = await db.waitpoint.updateMany({
    where: { id: waitpointId, completedAt: null, run: { companyId: caller.companyId } },
    data: { tokenHash: hashToken(token), linkApprover },
  });
  if (count === 0) throw notFound("Approval");
  return token;
}
