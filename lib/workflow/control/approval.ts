import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { ControlContext, Flow } from "../engine/control";
import type { NodeTypeSpec } from "../node-types";

// APPROVAL: a waiting record and a Waitpoint row (with the hash of a signed link's token) until
// someone decides (lib/workflow/runs.ts completeWaitpoint) or the timeout passes. The decision
// lives on the Waitpoint; the step reads it from there, whichever host runs it.

export const approvalLimits = { minTimeoutMs: 1000, maxTimeoutMs: 30 * 24 * 3_600_000, maxApprovers: 50 } as const;

export const approvalNodeType = {
  type: "control.approval",
  label: "Approval",
  category: "control",
  description: "Pauses the run until someone approves or rejects, or the timeout passes",
  version: 1,
  config: z.object({
    message: z
      .string()
      .min(1)
      .max(5000)
      .meta({
        ui: {
          label: "Message",
          widget: "multiline",
          help: "What the approver reads; {{…}} inserts values",
          placeholder: "Approve the purchase of {{trigger.payload.amount}} €?",
        },
      }),
    /** User ids or emails (templates allowed); left out, any member of the company may decide. */
    approvers: z
      .array(z.string().min(1).max(320))
      .max(approvalLimits.maxApprovers)
      .optional()
      .meta({
        ui: { label: "Approvers", widget: "list", help: "Emails of who may decide; leave empty to let any member decide", placeholder: "cfo@example.com" },
      }),
    timeoutMs: z
      .int()
      .min(approvalLimits.minTimeoutMs)
      .max(approvalLimits.maxTimeoutMs)
      .meta({ ui: { label: "Decide within", widget: "duration", help: "After this long the run takes the timeout branch" } }),
  }),
  example: { message: "Approve {{trigger.payload.amount}} €?", timeoutMs: 86_400_000 },
  outputs: [
    { id: "approved", label: "Approved" },
    { id: "rejected", label: "Rejected" },
    { id: "timeout", label: "Timed out" },
  ],
  output: z.object({
    decision: z.enum(["approved", "rejected", "timeout"]),
    decidedBy: z.string().optional(),
    decidedAt: z.iso.datetime(),
    comment: z.string().optional(),
  }),
  behaviour: {
    handle: (output) => {
      const decision = (output as { decision?: unknown } | null)?.decision;
      return typeof decision === "string" ? decision : null;
    },
    run: runApproval,
  },
} satisfies NodeTypeSpec;

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

async function runApproval(ctx: ControlContext): Promise<Flow> {
  const { db, node, iterationPath } = ctx;
  let step = ctx.existing;
  if (!step) {
    const startedAt = ctx.now();
    const config = ctx.config<{ message: string; timeoutMs: number; approvers?: string[] }>();
    if (ctx.run.dryRun) {
      await ctx.open("succeeded", {
        input: config,
        output: { decision: "approved", decidedAt: startedAt.toISOString(), comment: "dry run: assumed approved" },
        startedAt,
      });
      return "continue";
    }
    const timeoutAt = new Date(startedAt.getTime() + config.timeoutMs);
    step = await ctx.open("waiting", {
      input: { message: config.message, approvers: config.approvers ?? null, timeoutAt: timeoutAt.toISOString() },
      startedAt,
    });
    // The signed link carries a random token; only its hash is stored.
    await db.waitpoint.create({
      data: { runId: ctx.run.id, nodeId: node.id, iterationPath, kind: "approval", timeoutAt, tokenHash: hashToken(randomBytes(24).toString("base64url")) },
    });
  }
  for (;;) {
    const waitpoint = await db.waitpoint.findFirst({ where: { runId: ctx.run.id, nodeId: node.id, iterationPath, kind: "approval" } });
    if (!waitpoint) throw new Error(`approval ${node.id} has no waitpoint`);
    if (waitpoint.completedAt) {
      const result = (waitpoint.result ?? {}) as { approved?: boolean; comment?: string; by?: string };
      const output = {
        decision: result.approved ? "approved" : "rejected",
        decidedAt: waitpoint.completedAt.toISOString(),
        ...(result.by ? { decidedBy: result.by } : {}),
        ...(result.comment ? { comment: result.comment } : {}),
      };
      await ctx.succeed(step, output);
      return "continue";
    }
    if (!waitpoint.timeoutAt || waitpoint.timeoutAt > ctx.now()) return { suspend: { wakeAt: waitpoint.timeoutAt, waitpointIds: [waitpoint.id] } };
    // Conditional: a decision that lands at the same moment wins over the timeout (read again).
    const { count } = await db.waitpoint.updateMany({
      where: { id: waitpoint.id, completedAt: null },
      data: { completedAt: ctx.now(), result: { timedOut: true } },
    });
    if (count > 0) {
      await ctx.succeed(step, { decision: "timeout", decidedAt: ctx.now().toISOString() });
      return "continue";
    }
  }
}
