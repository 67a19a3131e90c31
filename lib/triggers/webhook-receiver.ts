import type { Db } from "@/lib/db";
import { groupCommit } from "@/lib/db/group-commit";
import { AppError } from "@/lib/errors";
import type { NodeCatalog } from "@/lib/workflow/node-types";
import { recordRejected, takeEvent, type IntakeResult } from "./intake";
import { intakeLimiter } from "./intake-limit";
import { readLimited, storableProblem } from "./payload";
import { captureSample } from "./test-events";
import { type StoredSecret, verifyWebhook, WEBHOOK_BODY_LIMIT, webhookPayload, WebhookRefused, webhookTrigger } from "./webhook";

// POST /api/hooks/<workflow id>: read the body (1 MB at most), verify it, normalize it, and hand
// it to the intake. Refusals are answered 400/401 and kept in the workflow's trigger history.
// A flood is answered 429 before anything is read (intake-limit.ts).
// While the workflow listens for a test event, a verified call becomes its sample instead.

export type WebhookAnswer = { status: number; body: Record<string, unknown> };

type Trigger = { type?: string; config?: unknown } | null;

type AddressedRow = {
  companyId: string;
  enabled: boolean;
  sampleListenUntil: Date | null;
  draftTrigger: Trigger;
  publishedTrigger: Trigger;
} & { [K in keyof StoredSecret]: StoredSecret[K] | null };

// Calls that arrive together read their workflows in one statement (lib/db/group-commit.ts): at
// 16 concurrent clients that read was a round trip per call, where a start has none.
const readTogether = groupCommit<string, AddressedRow | undefined>({
  write: async (db, ids) => {
    const rows = await db.$queryRaw<(AddressedRow & { id: string })[]>`
      SELECT w.id, w."companyId", w.enabled, w."sampleListenUntil", w.draft->'trigger' AS "draftTrigger", v.definition->'trigger' AS "publishedTrigger",
             s."keyId", s.ciphertext, s."previousKeyId", s."previousCiphertext", s."previousExpiresAt"
        FROM "Workflow" w LEFT JOIN "WorkflowVersion" v ON v.id = w."publishedVersionId" LEFT JOIN "WebhookSecret" s ON s."workflowId" = w.id
       WHERE w.id = ANY(${ids}::text[]) AND w."deletedAt" IS NULL`;
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  },
  take: (ids) => Math.min(ids.length, READ_BATCH),
});
const READ_BATCH = 200;

/**
 * The workflow a call is for: its published webhook trigger, or its draft's while it listens for a
 * test event; with its secret. One read: the triggers alone, not the whole definitions.
 */
async function addressed(db: Db, workflowId: string, now: Date) {
  const row = await readTogether(db, workflowId);
  if (!row) return null;
  const listening = Boolean(row.sampleListenUntil && row.sampleListenUntil > now && row.draftTrigger?.type === "webhook");
  const trigger = listening ? row.draftTrigger : row.publishedTrigger;
  if (trigger?.type !== "webhook") return null;
  const { keyId, ciphertext, previousKeyId, previousCiphertext, previousExpiresAt } = row;
  const secret = keyId && ciphertext ? { keyId, ciphertext, previousKeyId, previousCiphertext, previousExpiresAt } : null;
  return { companyId: row.companyId, enabled: row.enabled, listening, secret, config: webhookTrigger.config.parse(trigger.config ?? {}) };
}

export async function receiveWebhook(db: Db, catalog: NodeCatalog, workflowId: string, request: Request, now = new Date()): Promise<WebhookAnswer> {
  const wellFormed = /^[A-Za-z0-9_-]{1,64}$/.test(workflowId);
  const refusal =
    wellFormed && (await intakeLimiter().admit(db, { workflowId, triggerType: "webhook", source: `webhook:${workflowId}`, what: "webhook call" }));
  if (refusal) throw refusal;
  const workflow = wellFormed ? await addressed(db, workflowId, now) : null;
  if (!workflow)
    throw new AppError("not_found", "There is no webhook at this address", {
      remediation: "Copy the URL from the workflow's trigger; it needs a published version with a webhook trigger",
    });
  const event = { companyId: workflow.companyId, workflowId, triggerType: "webhook", source: `webhook:${workflowId}` };
  const refuse = async (status: number, reason: string): Promise<WebhookAnswer> => {
    await recordRejected(db, { ...event, reason });
    return { status, body: { error: { code: status === 401 ? "unauthenticated" : status === 409 ? "conflict" : "bad_request", message: reason } } };
  };
  if (!workflow.enabled && !workflow.listening) return refuse(409, "The workflow is disabled, so its webhook starts no runs");
  const raw = await readLimited(request, WEBHOOK_BODY_LIMIT);
  try {
    const deliveryId = verifyWebhook(workflow.secret, workflow.config, raw, request.headers, now);
    const payload = webhookPayload(raw, request.headers, workflow.config, now);
    const problem = storableProblem(payload);
    if (problem) throw new WebhookRefused(400, `The body cannot be stored: ${problem}`);
    if (workflow.listening && (await captureSample(db, workflowId, payload, now)))
      return { status: 200, body: { sample: true, runIds: [], message: "Kept as the workflow's sample payload; no run was started" } };
    const result: IntakeResult = await takeEvent(db, catalog, { ...event, externalId: deliveryId, payload });
    return { status: result.duplicate ? 200 : 202, body: { eventId: result.eventId, runIds: result.runIds, duplicate: result.duplicate } };
  } catch (error) {
    if (error instanceof WebhookRefused) return refuse(error.status, error.message);
    throw error;
  }
}
