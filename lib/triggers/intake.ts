import { createHash } from "node:crypto";
import type { Db } from "@/lib/db";
import { groupCommit } from "@/lib/db/group-commit";
import { newRowId } from "@/lib/db/ids";
import { Prisma } from "@/lib/generated/prisma/client";
import type { NodeCatalog } from "@/lib/workflow/node-types";
import { snapshotPolicy } from "@/lib/workflow/policy";
import { handToHost } from "@/lib/workflow/starts";

// The one way an event starts runs, whatever brought it (webhook call, schedule tick, inbound
// email, internal event): record it in the InboundEvent ledger (unique per source and external
// id), match the enabled workflows whose published version has that trigger and whose filters
// accept it, and create one run per match with an idempotency key derived from the event — in one
// statement, so in one transaction. A crash before its commit leaves nothing, so the sender's retry
// starts exactly one run; a redelivery finds the ledger row and starts none.
// Events arriving together share that statement (group commit, as run starts do): under a flood
// of webhook calls a batch costs two round trips (read the candidates, write everything), not five
// statements and a transaction per call.

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
  /** The internal event's outbox row, marked delivered in the same statement, taken or duplicate. */
  outboxId?: string;
};

export type IntakeResult = { eventId: string; duplicate: boolean; runIds: string[] };

type Candidate = {
  id: string;
  companyId: string;
  versionId: string;
  trigger: { type: string; config?: Record<string, unknown> };
  workflowPolicy: unknown;
  companyPolicy: unknown;
};

type Queued = { event: InboundEventInput; catalog: NodeCatalog; eventId: string };

const digest = (text: string) => createHash("sha256").update(text).digest("hex");
/** The ledger row's id follows from what identifies the event, so a duplicate collides on both. */
const eventIdOf = (event: InboundEventInput) => `ev_${digest(`${event.source}:${event.externalId}`).slice(0, 24)}`;
const runKey = (event: InboundEventInput) => `evt_${digest(`${event.source}\u0000${event.externalId}`).slice(0, 40)}`;

/** The enabled workflows of the batch's companies whose published trigger has one of its types. */
async function candidatesOf(db: Db, events: InboundEventInput[]): Promise<Candidate[]> {
  const companies = [...new Set(events.map((e) => e.companyId))];
  const types = [...new Set(events.map((e) => e.triggerType))];
  // With the policy columns the runs' snapshots are made of (lib/workflow/policy.ts), so no other read is needed.
  return db.$queryRaw<Candidate[]>`
    SELECT w.id, w."companyId", v.id AS "versionId", v.definition->'trigger' AS trigger, w.policy AS "workflowPolicy", c.policy AS "companyPolicy"
      FROM "Workflow" w JOIN "WorkflowVersion" v ON v.id = w."publishedVersionId" JOIN "Company" c ON c.id = w."companyId"
     WHERE w."companyId" IN (${Prisma.join(companies)}) AND w.enabled AND w."deletedAt" IS NULL
       AND v.definition->'trigger'->>'type' IN (${Prisma.join(types)})`;
}

function matches(catalog: NodeCatalog, event: InboundEventInput, workflow: Candidate): boolean {
  if (workflow.companyId !== event.companyId || workflow.trigger.type !== event.triggerType) return false;
  if (event.workflowId && workflow.id !== event.workflowId) return false;
  const spec = catalog.trigger(event.triggerType);
  if (!spec?.matches) return true;
  const config = spec.config.safeParse(workflow.trigger.config ?? {});
  return config.success && spec.matches(config.data, event.payload);
}

const textArray = (values: string[]) => (values.length ? Prisma.sql`ARRAY[${Prisma.join(values)}]::text[]` : Prisma.sql`'{}'::text[]`);

async function takeBatch(db: Db, batch: Queued[]): Promise<IntakeResult[]> {
  // The same event twice in one batch (a sender retrying at once) is taken once; the others are its duplicates.
  const first = new Map<string, Queued>();
  for (const queued of batch) if (!first.has(queued.eventId)) first.set(queued.eventId, queued);
  const unique = [...first.values()];
  const found = await candidatesOf(
    db,
    unique.map((q) => q.event),
  );
  const planned = unique.map(({ event, catalog, eventId }) => ({
    event,
    eventId,
    runs: found.filter((w) => matches(catalog, event, w)).map((workflow) => ({ id: newRowId(), workflow })),
  }));
  const runs = planned.flatMap((p) =>
    p.runs.map(
      (r) =>
        Prisma.sql`(${r.id}::text, ${p.eventId}::text, ${r.workflow.id}::text, ${r.workflow.versionId}::text,
          ${JSON.stringify(snapshotPolicy(r.workflow.companyPolicy, r.workflow.workflowPolicy))}::jsonb)`,
    ),
  );
  const outboxIds = unique.flatMap((q) => (q.event.outboxId ? [q.event.outboxId] : []));
  const written = await db.$queryRaw<{ kind: "event" | "run"; id: string }[]>`
    WITH e (id, "companyId", "workflowId", "triggerType", source, "externalId", payload, reason, "matchedRunIds", "runKey", "triggerSource")
      AS (VALUES ${Prisma.join(
        planned.map(
          ({ event, eventId, runs }) =>
            Prisma.sql`(${eventId}::text, ${event.companyId}::text, ${event.workflowId ?? null}::text, ${event.triggerType}::text, ${event.source}::text,
              ${event.externalId}::text, ${JSON.stringify(event.payload)}::jsonb, ${event.test ? "Test event from the workflow page" : null}::text,
              ${textArray(runs.map((r) => r.id))}, ${runKey(event)}::text, ${event.test ? "test" : null}::text)`,
        ),
      )}),
    taken AS (
      INSERT INTO "InboundEvent" (id, "companyId", "workflowId", "triggerType", source, "externalId", status, payload, "receivedAt", reason, "matchedRunIds")
      SELECT id, "companyId", "workflowId", "triggerType", source, "externalId", 'accepted', payload, now(), reason, "matchedRunIds" FROM e
      ON CONFLICT (source, "externalId") DO NOTHING RETURNING id)
    ${
      runs.length
        ? Prisma.sql`, r (id, "eventId", "workflowId", "versionId", policy) AS (VALUES ${Prisma.join(runs)}),
    started AS (
      INSERT INTO "WorkflowRun" (id, "companyId", "workflowId", "versionId", "triggerType", "triggerSource", "triggerPayload", "correlationId", "idempotencyKey", policy)
      SELECT r.id, e."companyId", r."workflowId", r."versionId", e."triggerType", e."triggerSource", e.payload, e.id, e."runKey", r.policy
        FROM r JOIN taken ON taken.id = r."eventId" JOIN e ON e.id = r."eventId"
      ON CONFLICT ("workflowId", "idempotencyKey") DO NOTHING RETURNING id)`
        : Prisma.empty
    }
    ${
      outboxIds.length
        ? Prisma.sql`, delivered AS (UPDATE "EventOutbox" SET "deliveredAt" = now() WHERE id IN (${Prisma.join(outboxIds)}) AND "deliveredAt" IS NULL RETURNING id)`
        : Prisma.empty
    }
    SELECT 'event' AS kind, id FROM taken ${runs.length ? Prisma.sql`UNION ALL SELECT 'run', id FROM started` : Prisma.empty}`;
  const takenIds = new Set(written.filter((w) => w.kind === "event").map((w) => w.id));
  const startedIds = written.filter((w) => w.kind === "run").map((w) => w.id);
  const duplicates = planned.filter((p) => !takenIds.has(p.eventId)).map((p) => p.eventId);
  const earlier = duplicates.length ? await db.inboundEvent.findMany({ where: { id: { in: duplicates } }, select: { id: true, matchedRunIds: true } }) : [];
  await handToHost(db, startedIds);
  const started = new Set(startedIds);
  const results = new Map<string, IntakeResult>(
    planned.map((p) => [
      p.eventId,
      takenIds.has(p.eventId)
        ? { eventId: p.eventId, duplicate: false, runIds: p.runs.map((r) => r.id).filter((id) => started.has(id)) }
        : { eventId: p.eventId, duplicate: true, runIds: earlier.find((row) => row.id === p.eventId)?.matchedRunIds ?? [] },
    ]),
  );
  return batch.map((queued) => {
    const result = results.get(queued.eventId)!;
    return first.get(result.eventId) === queued ? result : { ...result, duplicate: true };
  });
}

const BATCH_EVENTS = 100;
const takeTogether = groupCommit<Queued, IntakeResult>({ write: takeBatch, take: (items) => Math.min(items.length, BATCH_EVENTS) });

/** Takes one event in: at most one run per matching workflow, ever, for the same source and external id. */
export function takeEvent(db: Db, catalog: NodeCatalog, event: InboundEventInput): Promise<IntakeResult> {
  return takeTogether(db, { event, catalog, eventId: eventIdOf(event) });
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
