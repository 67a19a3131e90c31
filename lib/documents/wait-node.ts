import { z } from "zod";
import type { ControlContext, Flow } from "@/lib/workflow/engine/control";
import { WorkflowError } from "@/lib/workflow/errors";
import type { NodeTypeSpec } from "@/lib/workflow/node-types";

// "Await signatures": a durable wait on a signature request, like an APPROVAL: a waiting step
// record and a Waitpoint (kind signature) that lib/documents/signing.ts completes in the
// transaction that ends the request, so the run takes the completed, declined, expired or
// cancelled branch at once, or the timeout branch. It is its own node after "Request signature"
// because a control node's walk holds no effect: the request (an effect, undoable) stays an action.

export const signatureWaitLimits = { minTimeoutMs: 60_000, maxTimeoutMs: 90 * 86_400_000 } as const;

const outcomes = ["completed", "declined", "expired", "cancelled", "timeout"] as const;
type Outcome = (typeof outcomes)[number];

export const waitForSignatureNodeType = {
  type: "docmanager.wait_for_signature",
  label: "Await signatures",
  category: "docmanager",
  description: "Pauses the run until a signature request is completed, declined, expired or cancelled, or the timeout passes",
  version: 1,
  config: z.object({
    requestId: z
      .string()
      .trim()
      .min(1, "Which request? e.g. {{step.request.output.requestId}}")
      .max(64)
      .meta({ ui: { label: "Signature request", widget: "expression", placeholder: "{{step.request.output.requestId}}" } }),
    timeoutMs: z
      .int()
      .min(signatureWaitLimits.minTimeoutMs)
      .max(signatureWaitLimits.maxTimeoutMs)
      .meta({ ui: { label: "Wait at most", widget: "duration", help: "After this long the run takes the timeout branch" } }),
  }),
  example: { requestId: "{{step.request.output.requestId}}", timeoutMs: 14 * 86_400_000 },
  outputs: [
    { id: "completed", label: "Signed" },
    { id: "declined", label: "Declined" },
    { id: "expired", label: "Expired" },
    { id: "cancelled", label: "Cancelled" },
    { id: "timeout", label: "Timed out" },
  ],
  output: z.object({
    outcome: z.enum(outcomes),
    requestId: z.string(),
    documentId: z.string(),
    /** The completed PDF's file id (outcome completed). */
    signedFileId: z.string().nullable(),
    at: z.iso.datetime(),
  }),
  behaviour: {
    handle: (output) => {
      const outcome = (output as { outcome?: unknown } | null)?.outcome;
      return typeof outcome === "string" ? outcome : null;
    },
    run: waitForSignature,
  },
} satisfies NodeTypeSpec;

async function waitForSignature(ctx: ControlContext): Promise<Flow> {
  const { db, node, iterationPath } = ctx;
  const where = { runId: ctx.run.id, nodeId: node.id, iterationPath, kind: "signature" as const };
  let step = ctx.existing;
  const config = ctx.config<{ requestId: string; timeoutMs: number }>();
  // A dry run's request is a preview (no row): assume it gets signed, as a dry APPROVAL is approved.
  if (!step && ctx.run.dryRun) {
    const at = ctx.now();
    await ctx.open("succeeded", {
      input: config,
      output: { outcome: "completed", requestId: config.requestId, documentId: "doc_preview", signedFileId: null, at: at.toISOString() },
      startedAt: at,
    });
    return "continue";
  }
  const run = await db.workflowRun.findUniqueOrThrow({ where: { id: ctx.run.id }, select: { companyId: true } });
  const request = await db.signatureRequest.findFirst({ where: { id: config.requestId, companyId: run.companyId }, select: { id: true, documentId: true } });
  if (!request)
    throw new WorkflowError("E_NOT_FOUND", {
      message: `Signature request ${config.requestId} was not found in this company`,
      remediation: "Use the requestId of an earlier Request signature step, e.g. {{step.request.output.requestId}}",
    });
  if (!step) {
    const startedAt = ctx.now();
    const timeoutAt = new Date(startedAt.getTime() + config.timeoutMs);
    step = await ctx.open("waiting", { input: { requestId: request.id, timeoutAt: timeoutAt.toISOString() }, startedAt });
    // Under the request's lock, the lock that ends it: a request that ends meanwhile either sees
    // this waitpoint, or has ended already and the waitpoint starts completed.
    await db.$transaction(async (tx) => {
      const [locked] = await tx.$queryRaw<{ status: string; finishedAt: Date | null }[]>`
        SELECT status::text AS status, "finishedAt" FROM "SignatureRequest" WHERE id = ${request.id} FOR UPDATE`;
      const ended = locked && locked.status !== "pending";
      await tx.waitpoint.create({
        data: {
          ...where,
          timeoutAt,
          signatureRequestId: request.id,
          ...(ended ? { completedAt: locked.finishedAt ?? startedAt, result: { outcome: locked.status } } : {}),
        },
      });
    });
  }
  for (;;) {
    const waitpoint = await db.waitpoint.findFirst({ where });
    if (!waitpoint) throw new Error(`signature wait ${node.id} has no waitpoint`);
    if (waitpoint.completedAt) {
      const outcome = ((waitpoint.result ?? {}) as { outcome?: Outcome }).outcome ?? "timeout";
      const document = outcome === "completed" ? await db.document.findUnique({ where: { id: request.documentId }, select: { signedFileId: true } }) : null;
      await ctx.succeed(step, {
        outcome,
        requestId: request.id,
        documentId: request.documentId,
        signedFileId: document?.signedFileId ?? null,
        at: waitpoint.completedAt.toISOString(),
      });
      return "continue";
    }
    if (!waitpoint.timeoutAt || waitpoint.timeoutAt > ctx.now()) return { suspend: { wakeAt: waitpoint.timeoutAt, waitpointIds: [waitpoint.id] } };
    // Conditional: an ending that lands at the same moment wins over the timeout (read again).
    await db.waitpoint.updateMany({ where: { id: waitpoint.id, completedAt: null }, data: { completedAt: ctx.now(), result: { outcome: "timeout" } } });
  }
}
