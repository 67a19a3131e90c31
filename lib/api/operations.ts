import { z } from "zod";
import { defineOperation } from "@/lib/api/operation";
import { auditEntrySchema, listAuditSchema } from "@/lib/audit";
import { catalogDescriptionSchema, optionsPageSchema, optionsQuerySchema } from "@/lib/catalog/description";
import {
  meResponseSchema,
  problemSchema,
  runDetailSchema,
  runSummarySchema,
  undoPreviewSchema,
  versionSummarySchema,
  workflowDetailSchema,
  workflowSummarySchema,
} from "@/lib/api/schemas";
import { completeWaitpointSchema, listRunsSchema, startRunSchema } from "@/lib/workflow/runs";
import { definitionSchema } from "@/lib/workflow/definition";
import { createWorkflowSchema, listWorkflowsSchema, publishSchema, revertSchema, updateWorkflowSchema } from "@/lib/workflow/store";
import { triggerEventsQuerySchema } from "@/lib/triggers/history";
import { testStepResultSchema, testStepSchema } from "@/lib/workflow/test-step";
import { documentDetailSchema, documentSummarySchema, listDocumentsSchema, signatureRequestInputSchema, updateDocumentSchema } from "@/lib/documents/schemas";

// Every operation of the public API, in the order the OpenAPI document lists them.
const idParams = z.object({ id: z.string().min(1).max(64) });
const definitionInput = definitionSchema.describe("A workflow definition (see docs/workflow-format.md)");

export const getMe = defineOperation({
  id: "getMe",
  method: "GET",
  path: "/me",
  summary: "The company this API key acts for",
  tag: "Account",
  response: meResponseSchema,
});

export const listWorkflowsOp = defineOperation({
  id: "listWorkflows",
  method: "GET",
  path: "/workflows",
  summary: "List workflows, most recently changed first",
  tag: "Workflows",
  query: listWorkflowsSchema,
  response: z.object({ workflows: z.array(workflowSummarySchema), nextCursor: z.string().nullable() }),
});
export const createWorkflowOp = defineOperation({
  id: "createWorkflow",
  method: "POST",
  path: "/workflows",
  summary: "Create a workflow (its draft may be unfinished)",
  tag: "Workflows",
  body: createWorkflowSchema,
  documentedBody: createWorkflowSchema.extend({ definition: definitionInput.optional() }),
  response: workflowDetailSchema,
  status: 201,
  errors: [403, 422],
});
export const getWorkflowOp = defineOperation({
  id: "getWorkflow",
  method: "GET",
  path: "/workflows/{id}",
  summary: "A workflow with its draft, the draft's problems and what publishing would change",
  tag: "Workflows",
  params: idParams,
  response: workflowDetailSchema,
  errors: [404],
});
export const updateWorkflowOp = defineOperation({
  id: "updateWorkflow",
  method: "PATCH",
  path: "/workflows/{id}",
  summary: "Update the name, description or draft (send baseRevision to refuse lost updates)",
  tag: "Workflows",
  params: idParams,
  body: updateWorkflowSchema,
  documentedBody: updateWorkflowSchema.extend({ definition: definitionInput.optional() }),
  response: workflowDetailSchema,
  errors: [403, 404, 409, 422],
});
export const deleteWorkflowOp = defineOperation({
  id: "deleteWorkflow",
  method: "DELETE",
  path: "/workflows/{id}",
  summary: "Delete a workflow (its runs stay in the history)",
  tag: "Workflows",
  params: idParams,
  response: z.object({ deleted: z.literal(true) }),
  errors: [403, 404],
});
export const validateWorkflowOp = defineOperation({
  id: "validateWorkflow",
  method: "POST",
  path: "/workflows/{id}/validate",
  summary: "Every problem of the draft, or of the definition sent, as publishing (strict) or saving (draft) sees it",
  tag: "Workflows",
  params: idParams,
  body: z.object({ definition: z.unknown().optional(), mode: z.enum(["draft", "strict"]).default("strict") }),
  documentedBody: z.object({ definition: definitionInput.optional(), mode: z.enum(["draft", "strict"]).default("strict") }),
  response: z.object({ valid: z.boolean(), problems: z.array(problemSchema) }),
  errors: [404],
});
export const testStepOp = defineOperation({
  id: "testStep",
  method: "POST",
  path: "/workflows/{id}/test-step",
  summary:
    "Run one step alone, with the config sent, against the data of the workflow's latest run (or the trigger's sample payload). A step with effects shows its dry-run preview unless mode is live. Nothing is recorded as a run",
  tag: "Workflows",
  params: idParams,
  body: testStepSchema,
  response: testStepResultSchema,
  errors: [400, 403, 404, 422],
});
export const publishWorkflowOp = defineOperation({
  id: "publishWorkflow",
  method: "POST",
  path: "/workflows/{id}/publish",
  summary: "Publish the draft (or the definition sent) as the next version",
  tag: "Workflows",
  params: idParams,
  body: publishSchema,
  documentedBody: publishSchema.extend({ definition: definitionInput.optional() }),
  response: z.object({
    version: z.number().int(),
    created: z.boolean(),
    workflow: workflowDetailSchema,
    warnings: z.array(problemSchema).describe("Nodes the company's policy blocks (code policy_blocked): published, but a run fails at them"),
  }),
  errors: [403, 404, 422],
});
export const listVersionsOp = defineOperation({
  id: "listVersions",
  method: "GET",
  path: "/workflows/{id}/versions",
  summary: "Published versions, newest first",
  tag: "Workflows",
  params: idParams,
  response: z.object({ versions: z.array(versionSummarySchema) }),
  errors: [404],
});
export const getVersionOp = defineOperation({
  id: "getVersion",
  method: "GET",
  path: "/workflows/{id}/versions/{number}",
  summary: "One version's definition",
  tag: "Workflows",
  params: idParams.extend({ number: z.coerce.number().int().positive() }),
  response: versionSummarySchema.extend({ definition: definitionSchema }),
  errors: [404],
});
export const revertWorkflowOp = defineOperation({
  id: "revertWorkflow",
  method: "POST",
  path: "/workflows/{id}/revert",
  summary: "Replace the draft with an earlier version",
  tag: "Workflows",
  params: idParams,
  body: revertSchema,
  response: workflowDetailSchema,
  errors: [403, 404, 422],
});
export const enableWorkflowOp = defineOperation({
  id: "enableWorkflow",
  method: "POST",
  path: "/workflows/{id}/enable",
  summary: "Let the trigger start runs of the published version",
  tag: "Workflows",
  params: idParams,
  response: workflowDetailSchema,
  errors: [403, 404, 409],
});
export const disableWorkflowOp = defineOperation({
  id: "disableWorkflow",
  method: "POST",
  path: "/workflows/{id}/disable",
  summary: "Stop the trigger from starting runs",
  tag: "Workflows",
  params: idParams,
  response: workflowDetailSchema,
  errors: [403, 404],
});

const triggerOverviewSchema = z.object({
  type: z.string(),
  enabled: z.boolean(),
  published: z.boolean(),
  webhook: z.object({ url: z.string(), hasSecret: z.boolean(), rotatedAt: z.string().nullable(), previousValidUntil: z.string().nullable() }).nullable(),
  schedule: z.object({ cron: z.string(), timezone: z.string(), nextFireTimes: z.array(z.string()) }).nullable(),
  inboundAddress: z.string().nullable(),
});
export const getTriggerOp = defineOperation({
  id: "getTrigger",
  method: "GET",
  path: "/workflows/{id}/trigger",
  summary: "The published trigger: its webhook URL and secret status, or its schedule's next five fire times",
  tag: "Triggers",
  params: idParams,
  response: triggerOverviewSchema,
  errors: [404],
});
export const rotateWebhookSecretOp = defineOperation({
  id: "rotateWebhookSecret",
  method: "POST",
  path: "/workflows/{id}/trigger/secret",
  summary: "A new webhook signing secret, shown this once; the previous one keeps working for 24 hours",
  tag: "Triggers",
  params: idParams,
  response: z.object({ secret: z.string(), previousValidUntil: z.string().nullable() }),
  status: 201,
  errors: [403, 404],
});
export const listTriggerEventsOp = defineOperation({
  id: "listTriggerEvents",
  method: "GET",
  path: "/workflows/{id}/trigger/events",
  summary: "Trigger history: every event received (accepted, or refused with the reason) and the runs it started, newest first",
  tag: "Triggers",
  params: idParams,
  query: triggerEventsQuerySchema,
  response: z.object({
    events: z.array(
      z.object({
        id: z.string(),
        receivedAt: z.string(),
        status: z.enum(["accepted", "rejected"]),
        reason: z.string().nullable(),
        source: z.string(),
        externalId: z.string(),
        runIds: z.array(z.string()),
        payload: z.unknown(),
      }),
    ),
    nextCursor: z.string().nullable(),
  }),
  errors: [404],
});

export const startRunOp = defineOperation({
  id: "startRun",
  method: "POST",
  path: "/workflows/{id}/runs",
  summary: "Start a run of the published version (or a test run of the draft, or a dry run); a repeated idempotencyKey returns the existing run",
  tag: "Runs",
  params: idParams,
  body: startRunSchema,
  response: z.object({ run: runSummarySchema, created: z.boolean() }),
  status: 202,
  errors: [404, 409, 422],
});
export const listRunsOp = defineOperation({
  id: "listRuns",
  method: "GET",
  path: "/runs",
  summary: "List runs, newest first, filtered by workflow, status and time range",
  tag: "Runs",
  query: listRunsSchema,
  response: z.object({ runs: z.array(runSummarySchema), nextCursor: z.string().nullable() }),
});
export const getRunOp = defineOperation({
  id: "getRun",
  method: "GET",
  path: "/runs/{id}",
  summary: "A run with every step attempt; send If-None-Match with the last ETag to poll cheaply (304 when unchanged)",
  tag: "Runs",
  params: idParams,
  response: runDetailSchema,
  errors: [404],
});
export const cancelRunOp = defineOperation({
  id: "cancelRun",
  method: "POST",
  path: "/runs/{id}/cancel",
  summary: "Cancel a queued, running or waiting run",
  tag: "Runs",
  params: idParams,
  response: runSummarySchema,
  errors: [403, 404, 409],
});
export const replayRunOp = defineOperation({
  id: "replayRun",
  method: "POST",
  path: "/runs/{id}/replay",
  summary: "Start a new run that reuses the finished steps and continues from the failed one",
  tag: "Runs",
  params: idParams,
  response: runSummarySchema,
  status: 202,
  errors: [403, 404, 409],
});
export const rerunRunOp = defineOperation({
  id: "rerunRun",
  method: "POST",
  path: "/runs/{id}/rerun",
  summary: "Start a new run of the latest published version with this run's payload",
  tag: "Runs",
  params: idParams,
  response: runSummarySchema,
  status: 202,
  errors: [403, 404, 409],
});
export const previewUndoOp = defineOperation({
  id: "previewUndo",
  method: "GET",
  path: "/runs/{id}/undo",
  summary: "What undoing the run's effects will do, effect by effect (newest first), which ones must be undone by hand, and the latest undo's outcome",
  tag: "Runs",
  params: idParams,
  response: undoPreviewSchema,
  errors: [403, 404],
});
export const undoRunOp = defineOperation({
  id: "undoRun",
  method: "POST",
  path: "/runs/{id}/undo",
  summary:
    "Undo the effects of a finished run (succeeded, failed or cancelled) on the worker, newest first, each through the connection that made it. Asking again retries what failed; with nothing left to undo it does nothing (queued: false)",
  tag: "Runs",
  params: idParams,
  response: undoPreviewSchema.extend({ queued: z.boolean().describe("Whether this request queued an undo") }),
  status: 202,
  errors: [403, 404, 409],
});
export const completeWaitpointOp = defineOperation({
  id: "completeWaitpoint",
  method: "POST",
  path: "/waitpoints/{id}/complete",
  summary: "Approve or reject an approval the run is waiting on",
  tag: "Runs",
  params: idParams,
  body: completeWaitpointSchema,
  response: z.object({ runId: z.string(), decision: z.enum(["approved", "rejected"]) }),
  errors: [404, 409, 422],
});

export const getCatalogOp = defineOperation({
  id: "getCatalog",
  method: "GET",
  path: "/catalog",
  summary: "Every node type, trigger type and provider: config JSON Schemas, field hints, handles, output schemas, examples",
  tag: "Catalog",
  response: catalogDescriptionSchema,
});
export const listOptionsOp = defineOperation({
  id: "listOptions",
  method: "GET",
  path: "/options",
  summary: "One page of a config field's choices (e.g. loader=slack.channels), listed with the connection a step would use",
  tag: "Catalog",
  query: optionsQuerySchema,
  response: optionsPageSchema,
  errors: [404, 409, 429],
});
export const listAuditOp = defineOperation({
  id: "listAudit",
  method: "GET",
  path: "/audit",
  summary: "The company's audit log, newest first: who did what and when, with a before → after summary (admins and API keys only)",
  tag: "Account",
  query: listAuditSchema,
  response: z.object({ entries: z.array(auditEntrySchema), nextCursor: z.string().nullable() }),
  errors: [403],
});

const documentParams = z.object({ id: z.string().min(1).max(64) });
const requestParams = documentParams.extend({ requestId: z.string().min(1).max(64) });

export const listDocumentsOp = defineOperation({
  id: "listDocuments",
  method: "GET",
  path: "/documents",
  summary: "List documents, newest first (archived ones only with status=archived)",
  tag: "Documents",
  query: listDocumentsSchema,
  response: z.object({ documents: z.array(documentSummarySchema), nextCursor: z.string().nullable() }),
});
export const uploadDocumentOp = defineOperation({
  id: "uploadDocument",
  method: "POST",
  path: "/documents",
  summary: "Upload a document (PDF, PNG, JPEG, WebP or GIF, checked by content; 10 MB at most)",
  tag: "Documents",
  upload: { field: "file", description: "The file; its type is read from its content, not its name" },
  response: documentSummarySchema,
  status: 201,
  errors: [403, 413, 422],
});
export const getDocumentOp = defineOperation({
  id: "getDocument",
  method: "GET",
  path: "/documents/{id}",
  summary: "A document with its signature requests and its audit trail",
  tag: "Documents",
  params: documentParams,
  response: documentDetailSchema,
  errors: [404],
});
export const updateDocumentOp = defineOperation({
  id: "updateDocument",
  method: "PATCH",
  path: "/documents/{id}",
  summary: "Rename a document, move it to a folder, set its tags",
  tag: "Documents",
  params: documentParams,
  body: updateDocumentSchema,
  response: documentSummarySchema,
  errors: [404, 422],
});
export const deleteDocumentOp = defineOperation({
  id: "deleteDocument",
  method: "DELETE",
  path: "/documents/{id}",
  summary: "Delete a document, its files and its history (admins)",
  tag: "Documents",
  params: documentParams,
  response: z.object({ deleted: z.literal(true) }),
  errors: [403, 404],
});
export const archiveDocumentOp = defineOperation({
  id: "archiveDocument",
  method: "POST",
  path: "/documents/{id}/archive",
  summary: "Archive a document",
  tag: "Documents",
  params: documentParams,
  response: documentSummarySchema,
  errors: [404, 409],
});
export const unarchiveDocumentOp = defineOperation({
  id: "unarchiveDocument",
  method: "POST",
  path: "/documents/{id}/unarchive",
  summary: "Unarchive a document: back to the status it had",
  tag: "Documents",
  params: documentParams,
  response: documentSummarySchema,
  errors: [404, 409],
});
export const downloadDocumentOp = defineOperation({
  id: "downloadDocument",
  method: "GET",
  path: "/documents/{id}/file",
  summary: "Download the original, or the completed PDF with its signature page (version=signed)",
  tag: "Documents",
  params: documentParams,
  query: z.object({ version: z.enum(["original", "signed"]).default("original"), inline: z.enum(["0", "1"]).default("0") }),
  response: z.unknown(),
  download: { description: "The file's bytes, with its content type" },
  errors: [404],
});
export const requestSignatureOp = defineOperation({
  id: "requestSignature",
  method: "POST",
  path: "/documents/{id}/signature-requests",
  summary: "Send a document for signature: each signer gets an email with a personal link",
  tag: "Documents",
  params: documentParams,
  body: signatureRequestInputSchema,
  response: z.object({
    id: z.string(),
    documentId: z.string(),
    status: z.literal("pending"),
    signers: z.array(z.object({ id: z.string(), name: z.string(), email: z.string(), status: z.string() })),
  }),
  status: 201,
  errors: [404, 409, 422],
});
export const cancelSignatureRequestOp = defineOperation({
  id: "cancelSignatureRequest",
  method: "POST",
  path: "/documents/{id}/signature-requests/{requestId}/cancel",
  summary: "Cancel an open signature request: its links stop working and the document is a draft again",
  tag: "Documents",
  params: requestParams,
  response: z.object({ cancelled: z.boolean() }),
  errors: [404],
});
export const resendSignatureRequestOp = defineOperation({
  id: "resendSignatureRequest",
  method: "POST",
  path: "/documents/{id}/signature-requests/{requestId}/resend",
  summary: "Email the signers who have not signed a fresh link (earlier links stop working)",
  tag: "Documents",
  params: requestParams,
  response: z.object({ sent: z.number() }),
  errors: [404, 409],
});

export const operations = [
  getMe,
  getCatalogOp,
  listOptionsOp,
  listWorkflowsOp,
  createWorkflowOp,
  getWorkflowOp,
  updateWorkflowOp,
  deleteWorkflowOp,
  validateWorkflowOp,
  testStepOp,
  publishWorkflowOp,
  listVersionsOp,
  getVersionOp,
  revertWorkflowOp,
  enableWorkflowOp,
  disableWorkflowOp,
  getTriggerOp,
  rotateWebhookSecretOp,
  listTriggerEventsOp,
  startRunOp,
  listRunsOp,
  getRunOp,
  cancelRunOp,
  replayRunOp,
  rerunRunOp,
  previewUndoOp,
  undoRunOp,
  completeWaitpointOp,
  listAuditOp,
  listDocumentsOp,
  uploadDocumentOp,
  getDocumentOp,
  updateDocumentOp,
  deleteDocumentOp,
  archiveDocumentOp,
  unarchiveDocumentOp,
  downloadDocumentOp,
  requestSignatureOp,
  cancelSignatureRequestOp,
  resendSignatureRequestOp,
];
