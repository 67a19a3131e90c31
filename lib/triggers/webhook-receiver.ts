import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { NodeCatalog } from "@/lib/workflow/node-types";
import { recordRejected, takeEvent, type IntakeResult } from "./intake";
import { readLimited, storableProblem } from "./payload";
import { verifyWebhook, WEBHOOK_BODY_LIMIT, webhookPayload, WebhookRefused, webhookTrigger } from "./webhook";

// POST /api/hooks/<workflow id>: read the body (1 MB at most), verify it, normalize it, and hand
// it to the intake. Refusals are answered 400/401 and kept in the workflow's trigger history.

export type WebhookAnswer = { status: number; body: Record<string, unknown> };

async function addressed(db: Db, workflowId: string) {
  const row = await db.workflow.findFirst({
    where: { id: workflowId, deletedAt: null },
    select: { id: true, companyId: true, enabled: true, publishedVersion: { select: { definition: true } } },
  });
  const trigger = (row?.publishedVersion?.definition as { trigger?: { type?: string; config?: unknown } } | undefined)?.trigger;
  if (!row || trigger?.type !== "webhook") return null;
  return { companyId: row.companyId, enabled: row.enabled, config: webhookTrigger.config.parse(trigger.config ?? {}) };
}

export async function receiveWebhook(db: Db, catalog: NodeCatalog, workflowId: string, request: Request, now = new Date()): Promise<WebhookAnswer> {
  const workflow = /^[A-Za-z0-9_-]{1,64}$/.test(workflowId) ? await addressed(db, workflowId) : null;
  if (!workflow)
    throw new AppError("not_found", "There is no webhook at this address", {
      remediation: "Copy the URL from the workflow's trigger; it needs a published version with a webhook trigger",
    });
  const event = { companyId: workflow.companyId, workflowId, triggerType: "webhook", source: `webhook:${workflowId}` };
  const refuse = async (status: number, reason: string): Promise<WebhookAnswer> => {
    await recordRejected(db, { ...event, reason });
    return { status, body: { error: { code: status === 401 ? "unauthenticated" : status === 409 ? "conflict" : "bad_request", message: reason } } };
  };
  if (!workflow.enabled) return refuse(409, "The workflow is disabled, so its webhook starts no runs");
  const raw = await readLimited(request, WEBHOOK_BODY_LIMIT);
  try {
    const deliveryId = await verifyWebhook(db, workflowId, workflow.config, raw, request.headers, now);
    const payload = webhookPayload(raw, request.headers, workflow.config, now);
    const problem = storableProblem(payload);
    if (problem) throw new WebhookRefused(400, `The body cannot be stored: ${problem}`);
    const result: IntakeResult = await takeEvent(db, catalog, { ...event, externalId: deliveryId, payload });
    return { status: result.duplicate ? 200 : 202, body: { eventId: result.eventId, runIds: result.runIds, duplicate: result.duplicate } };
  } catch (error) {
    if (error instanceof WebhookRefused) return refuse(error.status, error.message);
    throw error;
  }
}
