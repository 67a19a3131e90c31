import { createHash } from "node:crypto";
import type { Db, Tx } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { logger } from "@/lib/log";
import { runHost } from "@/lib/workflow/hosts";
import type { NodeCatalog } from "@/lib/workflow/node-types";
import { snapshotPolicy } from "@/lib/workflow/policy";

// The one way an event starts runs, whatever brought it (webhook call, schedule tick, inbound
// email, internal event): record it in the InboundEvent ledger (unique per source and external
// id), match the enabled workflows whose published version has that trigger and whose filters
// accept it, and create one run per match with an idempotency key derived from the event — all in
// one transaction. A crash before the commit leaves nothing, so the sender's retry starts exactly
// one run; a redelivery finds the ledger row and starts none.

export type InboundEventInput = {
  companyId: string;
  /** "webhook", "schedule", "email.inbound", "document.completed" */
  triggerType: string;
  /** Where it came from, with the external id unique within it: "webhook:<workflow>", "resend"… */
  source: string;
  externalId: string;
  /** The typed payload runs get as {{trigger.payload}}. */
  payload: Record<string, unknown>;
  /** Addressed to one workflow (its webhook URL, its schedule); otherwise every matching one. */
  workflowId?: string;
  /** A test event from the workflow page: its runs say so (triggerSource "test"), and so does the history. */
  test?: boolean;
};

export type IntakeResult = { eventId: string; duplicate: boolean; runIds: string[] };

type Candidate = {
  id: string;
  versionId: string;
  trigger: { type: string; config?: Record<string, unknown> };
  workflowPolicy: unknown;
  companyPolicy: unknown;
};

const runKey = (source: string, externalId: string) => `evt_${createHash("sha256").update(`${source}\u0000${externalId}`).digest("hex").slice(0, 40)}`;

async function candidates(db: Db | Tx, catalog: NodeCatalog, event: InboundEventInput): Promise<Candidate[]> {
  // With the policy columns the runs' snapshots are made of (lib/workflow/policy.ts), so no other read is needed.
  const rows = await db.$queryRaw<Candidate[]>`
    SELECT w.id, v.id AS "versionId", v.definition->'trigger' AS trigger, w.policy AS "workflowPolicy", c.policy AS "companyPolicy"
      FROM "Workflow" w JOIN "WorkflowVersion" v ON v.id = w."publishedVersionId" JOIN "Company" c ON c.id = w."companyId"
     WHERE w."companyId" = ${event.companyId} AND w.enabled AND w."deletedAt" IS NULL
       AND v.definition->'trigger'->>'type' = ${event.triggerType}
       ${event.workflowId ? Prisma.sql`AND w.id = ${event.workflowId}` : Prisma.empty}`;
  const spec = catalog.trigger(event.triggerType);
  return rows.filter((row) => {
    if (!spec?.matches) return true;
    const config = spec.config.safeParse(row.trigger.config ?? {});
    return config.success && spec.matches(config.data, event.payload);
  });
}

/**
 * Takes one event in: at most one run per matching workflow, ever, for the same source and external
 * id. `alsoInTransaction` commits with the event, taken or duplicate (the outbox marks it delivered).
 */
export async function takeEvent(
  db: Db,
  catalog: NodeCatalog,
  event: InboundEventInput,
  alsoInTransaction?: (tx: Tx) => Promise<unknown>,
): Promise<IntakeResult> {
  const key = runKey(event.source, event.externalId);
  const result = await db.$transaction(async (tx) => {
    await alsoInTransaction?.(tx);
    const inserted = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO "InboundEvent" (id, "companyId", "workflowId", "triggerType", source, "externalId", status, payload, "receivedAt", reason)
      VALUES (${`ev_${createHash("sha256").update(`${event.source}:${event.externalId}`).digest("hex").slice(0, 24)}`}, ${event.companyId}, ${event.workflowId ?? null},
              ${event.triggerType}, ${event.source}, ${event.externalId}, 'accepted', ${JSON.stringify(event.payload)}::jsonb, now(),
              ${event.test ? "Test event from the workflow page" : null})
      ON CONFLICT (source, "externalId") DO NOTHING RETURNING id`;
    if (inserted.length === 0) {
      const existing = await tx.inboundEvent.findUniqueOrThrow({ where: { source_externalId: { source: event.source, externalId: event.externalId } } });
      return { eventId: existing.id, duplicate: true, runIds: existing.matchedRunIds };
    }
    const eventId = inserted[0]!.id;
    const runIds: string[] = [];
    for (const workflow of await candidates(tx, catalog, event)) {
      const run = await tx.workflowRun.create({
        data: {
          companyId: event.companyId,
          workflowId: workflow.id,
          versionId: workflow.versionId,
          triggerType: event.triggerType,
          triggerPayload: event.payload as Prisma.InputJsonValue,
          correlationId: eventId,
          idempotencyKey: key,
          policy: snapshotPolicy(workflow.companyPolicy, workflow.workflowPolicy),
          ...(event.test ? { triggerSource: "test" } : {}),
        },
        select: { id: true },
      });
      runIds.push(run.id);
    }
    if (runIds.length > 0) await tx.inboundEvent.update({ where: { id: eventId }, data: { matchedRunIds: runIds } });
    return { eventId, duplicate: false, runIds };
  });
  if (result.runIds.length > 0 && !result.duplicate) {
    // After the commit: a host that cannot be told now still finds the runs queued.
    await runHost()
      .enqueue(db, result.runIds)
      .catch((error: unknown) =>
        logger.warn({ err: error, eventId: result.eventId }, "runs started by an event were not handed to the host yet; they stay queued"),
      );
  }
  return result;
}

/** Records a refused event for the trigger history: nothing runs, and the reason is kept. Returns the row's id. */
export async function recordRejected(
  db: Db,
  event: Omit<InboundEventInput, "externalId" | "payload" | "companyId"> & { companyId: string | null; reason: string; payload?: Record<string, unknown> },
): Promise<string> {
  const row = await db.inboundEvent.create({
    data: {
      companyId: event.companyId,
      workflowId: event.workflowId ?? null,
      triggerType: event.triggerType,
      source: event.source,
      // refused events are not deduplicated: each refusal is its own line in the history
      externalId: `rejected:${createHash("sha256").update(`${Date.now()}:${Math.random()}`).digest("hex").slice(0, 32)}`,
      status: "rejected",
      reason: event.reason,
      payload: (event.payload ?? {}) as Prisma.InputJsonValue,
    },
    select: { id: true },
  });
  return row.id;
}
