import { z } from "zod";
import { definitionSchema } from "@/lib/workflow/definition";
import { policySnapshotSchema } from "@/lib/workflow/policy";

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    remediation: z.string().optional(),
    issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })).optional(),
  }),
});

export const companySchema = z.object({ id: z.string(), name: z.string(), slug: z.string() });
export const meResponseSchema = z.object({ company: companySchema, role: z.enum(["owner", "admin", "member"]) });

export const problemSchema = z.object({
  severity: z.enum(["error", "warning"]),
  code: z.string(),
  message: z.string(),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  path: z.array(z.union([z.string(), z.number()])),
});

export const workflowSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  enabled: z.boolean(),
  publishedVersion: z.number().int().nullable(),
  revision: z.string(),
  hasUnpublishedChanges: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const workflowDetailSchema = workflowSummarySchema.extend({
  draft: definitionSchema,
  problems: z.array(problemSchema),
  changes: z.object({ added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.string()), triggerChanged: z.boolean() }).nullable(),
});

export const versionSummarySchema = z.object({ number: z.number().int(), createdAt: z.string(), createdBy: z.string().nullable(), published: z.boolean() });

const runStatusSchema = z.enum(["queued", "running", "waiting", "succeeded", "failed", "cancelled"]);
// remediation: what a person can do about it; retryable (steps): whether retrying can help.
const errorSummarySchema = z
  .object({ code: z.string(), message: z.string(), remediation: z.string().nullable(), retryable: z.boolean().optional() })
  .nullable();

export const runSummarySchema = z.object({
  id: z.string(),
  workflowId: z.string(),
  workflowName: z.string(),
  status: runStatusSchema,
  version: z.union([z.number().int(), z.literal("draft")]),
  dryRun: z.boolean(),
  triggerType: z.string(),
  triggerSource: z.string().nullable(),
  needsAttention: z.boolean(),
  error: errorSummarySchema,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const runDetailSchema = runSummarySchema.extend({
  payload: z.unknown(),
  replayOf: z.string().nullable(),
  policy: policySnapshotSchema.nullable().describe("The company's policy and the workflow's allowlist as they were when the run was created"),
  etag: z.string(),
  steps: z.array(
    z.object({
      id: z.string(),
      nodeId: z.string(),
      nodeName: z.string(),
      iterationPath: z.string(),
      attempt: z.number().int(),
      status: z.string(),
      input: z.unknown(),
      output: z.unknown(),
      error: errorSummarySchema,
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      durationMs: z.number().int().nullable(),
    }),
  ),
  waitpoints: z.array(z.object({ id: z.string(), nodeId: z.string(), kind: z.string(), timeoutAt: z.string().nullable(), message: z.string().nullable() })),
});

const undoErrorSchema = z.object({ code: z.string(), message: z.string(), remediation: z.string().nullable() }).nullable();

export const undoPreviewSchema = z.object({
  runId: z.string(),
  runStatus: runStatusSchema,
  canUndo: z.boolean().describe("Whether undo can be asked for now (the run finished and no undo is under way)"),
  reason: z.string().nullable().describe("Why not, when canUndo is false"),
  effects: z
    .array(
      z.object({
        id: z.string(),
        nodeId: z.string(),
        nodeName: z.string(),
        action: z.string().describe('The node type, e.g. "slack.send_message"'),
        actionLabel: z.string(),
        strategy: z.enum(["api_delete", "api_update", "manual", "none"]),
        description: z.string().describe('What undo will do, e.g. "Delete the Slack message in #general"; for manual ones what to undo by hand'),
        externalRef: z.string().nullable().describe("The provider's reference of what the step made"),
        link: z.string().nullable().describe("Where the provider shows it, when it has such a page"),
        state: z.enum(["to_undo", "undone", "failed", "manual", "nothing"]),
        undoneAt: z.string().nullable(),
        undoneBy: z.string().nullable(),
        error: undoErrorSchema.describe("Why its last undo failed, with what to do (asking again retries it)"),
      }),
    )
    .describe("Newest first: the order undo goes in"),
  request: z
    .object({
      id: z.string(),
      status: z.enum(["queued", "running", "succeeded", "failed"]),
      requestedBy: z.string(),
      createdAt: z.string(),
      finishedAt: z.string().nullable(),
    })
    .nullable()
    .describe("The latest undo request"),
});
