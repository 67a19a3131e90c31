import { z } from "zod";
import type { Caller } from "@/lib/auth/roles";
import type { Db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { inboundAddress } from "./email-receiver";
import { nextFireTimes, scheduleTrigger } from "./schedule";
import { testEmailAvailable } from "./test-events";
import { webhookPath, webhookSecretStatus } from "./webhook";

// What a workflow's trigger is and what it received: its webhook URL and secret status, the next
// fire times of its schedule, and every event it got (accepted or refused, with the reason, and
// the runs it started), newest first. Company-scoped like everything else.

export const triggerEventsQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: z.string().max(64).optional() });

export type TriggerOverview = {
  type: string;
  enabled: boolean;
  published: boolean;
  webhook: { url: string; hasSecret: boolean; rotatedAt: string | null; previousValidUntil: string | null } | null;
  schedule: { cron: string; timezone: string; nextFireTimes: string[] } | null;
  /** The address whose mail starts this workflow (email.inbound). */
  inboundAddress: string | null;
  /** The type of the draft's trigger: what "Listen for a test event" and the editor work on. */
  draftType: string;
  /** While "Listen for a test event" waits for a call: until when. */
  listeningUntil: string | null;
  /** "Send test email" works here (the sandbox's fake Resend). */
  testEmail: boolean;
};

export type TriggerEvent = {
  id: string;
  receivedAt: string;
  status: "accepted" | "rejected";
  reason: string | null;
  source: string;
  externalId: string;
  runIds: string[];
  payload: unknown;
};

async function workflowOf(db: Db, caller: Caller, id: string) {
  const row = await db.workflow.findFirst({
    where: { id, companyId: caller.companyId, deletedAt: null },
    select: { id: true, enabled: true, draft: true, sampleListenUntil: true, publishedVersion: { select: { definition: true } } },
  });
  if (!row) throw notFound("Workflow");
  return row;
}

export async function triggerOverview(db: Db, caller: Caller, id: string, appUrl: string, now = new Date()): Promise<TriggerOverview> {
  const row = await workflowOf(db, caller, id);
  const definition = (row.publishedVersion?.definition ?? row.draft) as { trigger?: { type?: string; config?: unknown } };
  const type = definition.trigger?.type ?? "manual";
  const schedule = type === "schedule" ? scheduleTrigger.config.safeParse(definition.trigger?.config ?? {}) : null;
  return {
    type,
    enabled: row.enabled,
    published: Boolean(row.publishedVersion),
    webhook: type === "webhook" ? { url: `${appUrl}${webhookPath(id)}`, ...(await webhookSecretStatus(db, id)) } : null,
    schedule: schedule?.success
      ? { cron: schedule.data.cron, timezone: schedule.data.timezone, nextFireTimes: nextFireTimes(schedule.data, now).map((d) => d.toISOString()) }
      : null,
    inboundAddress: type === "email.inbound" ? inboundAddress(id) : null,
    draftType: (row.draft as typeof definition).trigger?.type ?? "manual",
    listeningUntil: row.sampleListenUntil && row.sampleListenUntil > now ? row.sampleListenUntil.toISOString() : null,
    testEmail: type === "email.inbound" && testEmailAvailable(),
  };
}

export async function triggerEvents(db: Db, caller: Caller, id: string, raw: unknown = {}): Promise<{ events: TriggerEvent[]; nextCursor: string | null }> {
  const { limit, cursor } = triggerEventsQuerySchema.parse(raw);
  await workflowOf(db, caller, id);
  // Addressed to this workflow (webhooks, schedules), or matched by type and starting one of its runs.
  const started = await db.workflowRun.findMany({
    where: { workflowId: id, correlationId: { startsWith: "ev_" } },
    select: { correlationId: true },
    take: 1000,
    orderBy: { createdAt: "desc" },
  });
  const rows = await db.inboundEvent.findMany({
    where: { companyId: caller.companyId, OR: [{ workflowId: id }, { id: { in: started.map((r) => r.correlationId!) } }] },
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  return {
    events: rows.slice(0, limit).map((row) => ({
      id: row.id,
      receivedAt: row.receivedAt.toISOString(),
      status: row.status,
      reason: row.reason,
      source: row.source,
      externalId: row.externalId,
      runIds: row.matchedRunIds,
      payload: row.payload,
    })),
    nextCursor: rows.length > limit ? rows[limit - 1]!.id : null,
  };
}
