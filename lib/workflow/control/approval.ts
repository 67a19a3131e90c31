import { z } from "zod";
import type { NodeTypeSpec } from "../node-types";

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
      .meta({ ui: { label: "Message", widget: "multiline", help: "What the approver reads; {{…}} inserts values", placeholder: "Approve the purchase of {{trigger.payload.amount}} €?" } }),
    /** User ids or emails (templates allowed); left out, any member of the company may decide. */
    approvers: z
      .array(z.string().min(1).max(320))
      .max(approvalLimits.maxApprovers)
      .optional()
      .meta({ ui: { label: "Approvers", widget: "list", help: "Emails of who may decide; leave empty to let any member decide", placeholder: "cfo@example.com" } }),
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
} satisfies NodeTypeSpec;
