import { randomBytes } from "node:crypto";
import { z } from "zod";
import { audit, auditActor } from "@/lib/audit";
import { requireRole, type Caller } from "@/lib/auth/roles";
import type { Db } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import { configFields, nodeSchema, type WorkflowDefinition } from "./definition";
import { toWorkflowError, WorkflowError } from "./errors";
import type { ExecutionContext } from "./engine/executors";
import { interpolate, type InterpolationScope } from "./interpolation";
import type { NodeCatalog } from "./node-types";
import { logger } from "@/lib/log";
import type { RunError } from "./runs";

// "Test this step" in the editor: one node, with the config on screen (saved or not), run alone
// against the data of the workflow's latest run (its payload and the outputs its steps recorded),
// or the trigger's sample payload when it has not run yet. Nothing is recorded as a run. A step
// with effects shows its dry-run preview unless the person asked for the real call ("live"),
// which is audited: it happens outside any run, so Flowline has no effect record to undo it by.

export const testStepSchema = z.object({
  /** The node as the editor has it, config included. */
  node: nodeSchema,
  /** preview: what a dry run shows, nothing sent. live: the real call (asked for after a confirmation). */
  mode: z.enum(["preview", "live"]).default("preview"),
});

export const testStepResultSchema = z.object({
  /** What happened: "preview" for a step with effects shown dry, "live" when it really ran. */
  mode: z.enum(["preview", "live"]),
  status: z.enum(["succeeded", "failed"]),
  /** The config after {{…}} were resolved; null when resolving failed. */
  input: z.unknown(),
  output: z.unknown(),
  error: z.object({ code: z.string(), message: z.string(), remediation: z.string().nullable(), retryable: z.boolean().optional() }).nullable(),
  /** Where the {{…}} data came from: the workflow's latest run, or the trigger's sample payload. */
  data: z.discriminatedUnion("kind", [z.object({ kind: z.literal("run"), runId: z.string(), createdAt: z.string() }), z.object({ kind: z.literal("sample") })]),
  /** Set for steps that only act inside a run (flow control): their settings are shown resolved. */
  note: z.string().nullable(),
  durationMs: z.number().int(),
});
export type TestStepResult = z.output<typeof testStepResultSchema>;

const TEST_TIMEOUT_MS = 30_000;

type Data = { scope: InterpolationScope; data: TestStepResult["data"] };

/** The latest run's payload and step outputs (the last attempt of each node that succeeded), or the sample payload. */
async function dataFor(db: Db, catalog: NodeCatalog, caller: Caller, workflowId: string, draft: WorkflowDefinition, nodeId: string): Promise<Data> {
  const run = await db.workflowRun.findFirst({
    where: { workflowId, companyId: caller.companyId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    include: { steps: { where: { status: "succeeded", nodeId: { not: nodeId } }, orderBy: [{ startedAt: "asc" }] } },
  });
  const runId = run?.id ?? "test";
  if (!run) {
    const payload = draft.trigger.config.samplePayload ?? catalog.trigger(draft.trigger.type)?.samplePayload ?? {};
    return { scope: { trigger: { type: draft.trigger.type, source: "ui", payload }, steps: {}, run: { id: runId } }, data: { kind: "sample" } };
  }
  const steps: Record<string, { output: unknown }> = {};
  for (const step of run.steps) steps[step.nodeId] = { output: step.output };
  return {
    scope: { trigger: { type: run.triggerType, source: run.triggerSource, payload: run.triggerPayload }, steps, run: { id: run.id } },
    data: { kind: "run", runId: run.id, createdAt: run.createdAt.toISOString() },
  };
}

const asRunError = (error: WorkflowError): RunError => ({
  code: error.code,
  message: error.message,
  remediation: error.remediation,
  retryable: error.retryable,
});

export async function testStep(db: Db, catalog: NodeCatalog, caller: Caller, workflowId: string, raw: unknown): Promise<TestStepResult> {
  requireRole(caller, "admin");
  const { node, mode } = testStepSchema.parse(raw);
  const workflow = await db.workflow.findFirst({ where: { id: workflowId, companyId: caller.companyId, deletedAt: null }, select: { draft: true } });
  if (!workflow) throw notFound("Workflow");
  const nodeType = catalog.get(node.type);
  if (!nodeType) {
    throw new AppError("bad_request", `There is no step type "${node.type}"`, {
      remediation: "Pick a step type from the palette",
      issues: [{ path: ["node", "type"], message: "Unknown step type" }],
    });
  }
  const draft = workflow.draft as WorkflowDefinition;
  const { scope, data } = await dataFor(db, catalog, caller, workflowId, draft, node.id);
  const started = performance.now();
  const done = (result: Omit<TestStepResult, "data" | "durationMs">): TestStepResult => ({
    ...result,
    data,
    durationMs: Math.round(performance.now() - started),
  });
  const executor = nodeType.executor;
  const live = !executor?.effectful || mode === "live";
  const shownMode = executor?.effectful && mode !== "live" ? "preview" : "live";

  let input: Record<string, unknown>;
  try {
    const missing = nodeType.behaviour?.lenientTemplates ? "undefined" : "error";
    input = interpolate(configFields(node.config), scope, { nodeId: node.id, missing }) as Record<string, unknown>;
    const parsed = nodeType.config.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "config"}: ${issue.message}`);
      throw new WorkflowError("E_VALIDATION", { message: `The step's fields are not valid: ${issues.join("; ")}`, nodeId: node.id });
    }
  } catch (error) {
    return done({ mode: shownMode, status: "failed", input: null, output: null, error: asRunError(toWorkflowError(error, node.id)), note: null });
  }
  if (!executor) {
    return done({
      mode: shownMode,
      status: "succeeded",
      input,
      output: null,
      error: null,
      note: "Loops, waits and approvals act inside a run: here are the settings a run would read. Start a test run to see them at work.",
    });
  }

  const ctx: ExecutionContext = {
    db,
    runId: `test_${randomBytes(8).toString("hex")}`,
    companyId: caller.companyId,
    userId: caller.userId,
    node,
    iterationPath: "",
    attempt: 1,
    stepId: `test:${node.id}`,
    // A test is never a retry of anything: a fresh key, so a provider does not answer with an earlier test's result.
    idempotencyKey: randomBytes(20).toString("hex"),
    signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
    reportEffect: () => {},
    beginEffect: async () => {},
  };
  try {
    const output = live ? await executor.execute(ctx, input) : executor.preview ? await executor.preview(ctx, input) : input;
    if (live && executor.effectful) await audit(db, auditActor(caller), "workflow.step_tested", "workflow", workflowId, { nodeId: node.id, type: node.type });
    return done({ mode: shownMode, status: "succeeded", input, output: output ?? null, error: null, note: null });
  } catch (error) {
    if (!(error instanceof WorkflowError)) logger.error({ err: error, workflowId, nodeId: node.id }, "a tested step failed with an unexpected error");
    if (live && executor.effectful) {
      await audit(db, auditActor(caller), "workflow.step_tested", "workflow", workflowId, { nodeId: node.id, type: node.type, failed: true });
    }
    return done({ mode: shownMode, status: "failed", input, output: null, error: asRunError(toWorkflowError(error, node.id)), note: null });
  }
}
