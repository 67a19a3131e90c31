import type { Db } from "@/lib/db";
import { groupCommit } from "@/lib/db/group-commit";
import { newRowId } from "@/lib/db/ids";
import { logger } from "@/lib/log";
import { Prisma } from "@/lib/generated/prisma/client";
import { runHost } from "./hosts";

// How runs are inserted when they start: the hot path of the API and of every trigger. Two
// things make a start one database round trip:
// - What a start needs to know about its workflow (company, name, published version, the two
//   policy columns the run's snapshot is made of) is cached per process. The cache is never
//   trusted blindly: the INSERT joins the workflow and company and inserts only where they still
//   hold exactly those values, so a publish, rename, delete or policy change made by any process
//   makes the insert miss, and the start reads them again. Nothing is ever started on stale facts.
// - Concurrent starts share one statement (group commit): while one multi-row INSERT is in flight,
//   the starts that arrive wait for it and then go together in the next, with one commit and one
//   nudge to the host. Alone, a start goes at once; under load the batch grows by itself.
// An idempotency key is the unique (workflow, key) index with ON CONFLICT DO NOTHING, so two starts
// with one key in the same batch still make one run.

/** What a start reads about its workflow, with the policy columns as their stored JSON text. */
export type StartFacts = {
  workflowId: string;
  companyId: string;
  name: string;
  publishedVersionId: string | null;
  versionNumber: number | null;
  workflowPolicy: string | null;
  companyPolicy: string | null;
};

export type RunInsert = {
  facts: StartFacts;
  /** null: a test run of the draft, frozen in `definition`. */
  versionId: string | null;
  definition: unknown;
  dryRun: boolean;
  triggerType: string;
  triggerSource: string | null;
  triggerPayload: unknown;
  correlationId: string | null;
  idempotencyKey: string | null;
  startedById: string | null;
  policy: unknown;
  timeoutAt: Date | null;
};

/** Inserted; or the run an idempotency key already has; or the facts no longer hold (read them again). */
export type InsertOutcome = { inserted: { id: string; createdAt: Date } } | { existingRunId: string } | { stale: true };

const FACTS_KEPT = 5_000;
const BATCH_ROWS = 200;

const factsCache = new Map<string, StartFacts>();
const factsKey = (companyId: string, workflowId: string) => `${companyId}:${workflowId}`;

/** The workflow's start facts, cached; null when it does not exist in this company (or is deleted). */
export async function startFacts(db: Db, companyId: string, workflowId: string, fresh = false): Promise<StartFacts | null> {
  const key = factsKey(companyId, workflowId);
  const cached = fresh ? undefined : factsCache.get(key);
  if (cached) return cached;
  const [row] = await db.$queryRaw<StartFacts[]>`
    SELECT w.id AS "workflowId", w."companyId", w.name, w."publishedVersionId", v.number AS "versionNumber",
           w.policy::text AS "workflowPolicy", c.policy::text AS "companyPolicy"
      FROM "Workflow" w JOIN "Company" c ON c.id = w."companyId" LEFT JOIN "WorkflowVersion" v ON v.id = w."publishedVersionId"
     WHERE w.id = ${workflowId} AND w."companyId" = ${companyId} AND w."deletedAt" IS NULL`;
  if (!row) {
    factsCache.delete(key);
    return null;
  }
  if (factsCache.size >= FACTS_KEPT) factsCache.delete(factsCache.keys().next().value!);
  factsCache.set(key, row);
  return row;
}

/** Tells the host about runs just committed; one it cannot tell now still finds them queued. */
export async function handToHost(db: Db, runIds: string[]): Promise<void> {
  if (runIds.length === 0) return;
  await runHost()
    .enqueue(db, runIds)
    .catch((error: unknown) => logger.warn({ err: error, runs: runIds.length }, "started runs were not handed to the host yet; they stay queued"));
}

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

type Queued = { row: RunInsert; id: string };

const insertTogether = groupCommit<Queued, InsertOutcome>({ write: insertBatch, take: (items) => Math.min(items.length, BATCH_ROWS) });

/** Inserts one run row, in a statement shared with the starts that arrive meanwhile. */
export function insertRun(db: Db, row: RunInsert): Promise<InsertOutcome> {
  return insertTogether(db, { row, id: newRowId() });
}

async function insertBatch(db: Db, batch: Queued[]): Promise<InsertOutcome[]> {
  const values = batch.map(({ row, id }) => {
    const f = row.facts;
    return Prisma.sql`(${id}::text, ${f.companyId}::text, ${f.workflowId}::text, ${row.versionId}::text, ${json(row.definition)}::jsonb,
      ${row.dryRun}::boolean, ${row.triggerType}::text, ${row.triggerSource}::text, ${json(row.triggerPayload) ?? "{}"}::jsonb,
      ${row.correlationId}::text, ${row.idempotencyKey}::text, ${row.startedById}::text, ${json(row.policy)}::jsonb, ${row.timeoutAt}::timestamp(3),
      ${f.name}::text, ${f.publishedVersionId}::text, ${f.workflowPolicy}::jsonb, ${f.companyPolicy}::jsonb)`;
  });
  const inserted = await db.$queryRaw<{ id: string; createdAt: Date }[]>`
    WITH v (id, "companyId", "workflowId", "versionId", definition, "dryRun", "triggerType", "triggerSource", "triggerPayload",
            "correlationId", "idempotencyKey", "startedById", policy, "timeoutAt", "factName", "factVersionId", "factWorkflowPolicy", "factCompanyPolicy")
      AS (VALUES ${Prisma.join(values)})
    INSERT INTO "WorkflowRun" (id, "companyId", "workflowId", "versionId", definition, "dryRun", "triggerType", "triggerSource", "triggerPayload",
                               "correlationId", "idempotencyKey", "startedById", policy, "timeoutAt")
    SELECT v.id, v."companyId", v."workflowId", v."versionId", v.definition, v."dryRun", v."triggerType", v."triggerSource", v."triggerPayload",
           v."correlationId", v."idempotencyKey", v."startedById", v.policy, v."timeoutAt"
      FROM v JOIN "Workflow" w ON w.id = v."workflowId" AND w."companyId" = v."companyId" JOIN "Company" c ON c.id = w."companyId"
     WHERE w."deletedAt" IS NULL AND w.name = v."factName" AND w."publishedVersionId" IS NOT DISTINCT FROM v."factVersionId"
       AND w.policy IS NOT DISTINCT FROM v."factWorkflowPolicy" AND c.policy IS NOT DISTINCT FROM v."factCompanyPolicy"
    ON CONFLICT ("workflowId", "idempotencyKey") DO NOTHING
    RETURNING id, "createdAt"`;
  const byId = new Map(inserted.map((r) => [r.id, r]));
  const missed = batch.filter((p) => !byId.has(p.id));
  const keyed = missed.filter((p) => p.row.idempotencyKey !== null);
  const existing = keyed.length
    ? await db.workflowRun.findMany({
        where: { OR: keyed.map((p) => ({ workflowId: p.row.facts.workflowId, idempotencyKey: p.row.idempotencyKey })) },
        select: { id: true, workflowId: true, idempotencyKey: true },
      })
    : [];
  const existingId = new Map(existing.map((r) => [`${r.workflowId}\u0000${r.idempotencyKey}`, r.id]));
  await handToHost(
    db,
    inserted.map((r) => r.id),
  );
  return batch.map((pending) => {
    const row = byId.get(pending.id);
    const other = pending.row.idempotencyKey === null ? undefined : existingId.get(`${pending.row.facts.workflowId}\u0000${pending.row.idempotencyKey}`);
    if (row) return { inserted: row };
    if (other) return { existingRunId: other };
    factsCache.delete(factsKey(pending.row.facts.companyId, pending.row.facts.workflowId));
    return { stale: true };
  });
}
