import { randomUUID } from "node:crypto";
import { requireRole, type Caller } from "@/lib/auth/roles";
import { getEnv } from "@/lib/config/env";
import type { Db } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { NodeCatalog } from "@/lib/workflow/node-types";
import { inboundAddress } from "./email-receiver";
import { takeEvent, type IntakeResult } from "./intake";

// Trying a trigger without waiting for the world: "Listen for a test event" keeps the next call
// to a webhook URL as the workflow's sample payload (the editor's variable picker reads it from
// the draft's trigger config) and starts no run; "Emit test event" hands the intake a
// document.completed event with the sample payload, which starts runs as a real one would, marked
// as a test; "Send test email" (sandbox only) has the fake Resend send the app a signed
// email.received webhook for the workflow's address.

export const LISTEN_MS = 5 * 60_000;

type Definition = { trigger?: { type?: string; config?: Record<string, unknown> } };

async function workflowOf(db: Db, caller: Caller, id: string) {
  const row = await db.workflow.findFirst({
    where: { id, companyId: caller.companyId, deletedAt: null },
    select: { id: true, companyId: true, draft: true, sampleListenUntil: true, publishedVersion: { select: { definition: true } } },
  });
  if (!row) throw notFound("Workflow");
  return row;
}

/** Until when a call to the webhook URL becomes the sample; the draft's trigger must be a webhook. */
export async function listenForTestEvent(db: Db, caller: Caller, workflowId: string, now = new Date()): Promise<{ listeningUntil: string }> {
  requireRole(caller, "admin");
  const row = await workflowOf(db, caller, workflowId);
  if ((row.draft as Definition).trigger?.type !== "webhook")
    throw new AppError("conflict", "Only a webhook trigger listens for a test event", { remediation: "Set the draft's trigger to Webhook first." });
  const until = new Date(now.getTime() + LISTEN_MS);
  await db.workflow.update({ where: { id: workflowId }, data: { sampleListenUntil: until } });
  return { listeningUntil: until.toISOString() };
}

/** Whether the workflow is still listening, and the sample its draft holds. */
export async function testEventStatus(
  db: Db,
  caller: Caller,
  workflowId: string,
  now = new Date(),
): Promise<{ listeningUntil: string | null; sample: Record<string, unknown> | null }> {
  const row = await workflowOf(db, caller, workflowId);
  const listening = row.sampleListenUntil && row.sampleListenUntil > now ? row.sampleListenUntil.toISOString() : null;
  const sample = (row.draft as Definition).trigger?.config?.samplePayload;
  return { listeningUntil: listening, sample: sample && typeof sample === "object" ? (sample as Record<string, unknown>) : null };
}

/**
 * A verified call while listening: its payload becomes the draft's sample (a new draft revision,
 * which an open editor with nothing unsaved adopts) and listening ends. False when not listening
 * (any more): the call then goes to the intake as usual.
 */
export async function captureSample(db: Db, workflowId: string, payload: Record<string, unknown>, now = new Date()): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ companyId: string; draft: Definition; draftUpdatedAt: Date }[]>`
      UPDATE "Workflow" SET "sampleListenUntil" = NULL WHERE id = ${workflowId} AND "sampleListenUntil" > ${now}
      RETURNING "companyId", draft, "draftUpdatedAt"`;
    if (!row || row.draft.trigger?.type !== "webhook") return false;
    const draft = { ...row.draft, trigger: { ...row.draft.trigger, config: { ...row.draft.trigger.config, samplePayload: payload } } };
    await tx.workflow.update({
      where: { id: workflowId },
      data: { draft: draft as Prisma.InputJsonValue, draftUpdatedAt: new Date(Math.max(now.getTime(), row.draftUpdatedAt.getTime() + 1)) },
    });
    await tx.inboundEvent.create({
      data: {
        companyId: row.companyId,
        workflowId,
        triggerType: "webhook",
        source: `webhook:${workflowId}`,
        externalId: `sample:${randomUUID()}`,
        status: "accepted",
        reason: "Kept as the sample payload while listening; no run started",
        payload: payload as Prisma.InputJsonValue,
      },
    });
    return true;
  });
}

/** A document.completed event for this workflow with its sample payload, through the intake. */
export async function emitTestEvent(db: Db, catalog: NodeCatalog, caller: Caller, workflowId: string): Promise<IntakeResult> {
  requireRole(caller, "admin");
  const row = await workflowOf(db, caller, workflowId);
  const published = (row.publishedVersion?.definition as Definition | undefined)?.trigger;
  if (published?.type !== "document.completed")
    throw new AppError("conflict", "A test event starts runs as a real one would: publish the workflow with the Document signed trigger first", {
      remediation: "Publish (and enable) the workflow, then emit the test event again.",
    });
  const spec = catalog.trigger("document.completed");
  const sample = published.config?.samplePayload ?? (row.draft as Definition).trigger?.config?.samplePayload ?? spec?.samplePayload;
  const result = await takeEvent(db, catalog, {
    companyId: row.companyId,
    workflowId,
    triggerType: "document.completed",
    source: "test:document.completed",
    externalId: randomUUID(),
    payload: { ...(sample as Record<string, unknown>), test: true },
    test: true,
  });
  if (result.runIds.length === 0)
    throw new AppError("conflict", "The test event was recorded but started no run: the workflow is disabled or its folder filter does not match the sample", {
      remediation: "Enable the workflow, or change the sample payload's folder to match the filter.",
    });
  return result;
}

/** The sandbox's fake Resend answers this; a real Resend does not (RESEND_BASE_URL is set only for the fake). */
export const testEmailAvailable = () => Boolean(getEnv().RESEND_BASE_URL && getEnv().RESEND_API_KEY && getEnv().RESEND_WEBHOOK_SECRET);

/** Has the sandbox's fake Resend receive an email for the workflow and send the app its signed webhook. */
export async function sendTestEmail(db: Db, caller: Caller, workflowId: string): Promise<{ emailId: string; status: number }> {
  requireRole(caller, "admin");
  await workflowOf(db, caller, workflowId);
  const env = getEnv();
  if (!testEmailAvailable())
    throw new AppError("conflict", "Test emails can be sent only in the sandbox", {
      remediation: "Start the app with npm run dev:sandbox, or send a real email to the workflow's address.",
    });
  const response = await fetch(new URL("/sandbox/inbound", env.RESEND_BASE_URL), {
    method: "POST",
    headers: { authorization: `Bearer ${env.RESEND_API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ to: inboundAddress(workflowId), webhookUrl: new URL("/api/inbound/resend", env.appUrl).toString() }),
    signal: AbortSignal.timeout(30_000),
  }).catch((error: unknown) => {
    throw new AppError("upstream_unavailable", "The sandbox's fake Resend did not answer", {
      remediation: `Is npm run dev:sandbox still running? (${String(error)})`,
    });
  });
  if (!response.ok)
    throw new AppError("upstream_unavailable", `The fake Resend refused the test email (${response.status})`, {
      remediation: "Test emails work only against the sandbox's fake Resend.",
    });
  return (await response.json()) as { emailId: string; status: number };
}
