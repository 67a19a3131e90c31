import { z } from "zod";
import { audit } from "@/lib/audit";
import { requireRole, type Caller } from "@/lib/auth/roles";
import type { Db, Tx } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { summarizeDiff, type DefinitionDiff } from "./diff";
import { emptyDefinition, type WorkflowDefinition } from "./definition";
import { jsonEqual } from "./json";
import { loadDefinition } from "./load-definition";
import type { NodeCatalog } from "./node-types";
import { policyProblems, snapshotPolicy } from "./policy";
import type { Problem, ValidationMode } from "./problems";
import { validateDefinition } from "./validate";

// Workflows as stored: a draft anyone with access edits, and immutable numbered versions that
// publishing snapshots. Every function takes the caller and sees only the caller's company, and
// the catalog of node and trigger types its definitions are checked against.

export const workflowNameSchema = z.string().trim().min(1, "Give the workflow a name").max(120, "Name is too long (120 characters at most)");
export const createWorkflowSchema = z.object({
  name: workflowNameSchema,
  description: z.string().trim().max(2000).optional(),
  definition: z.unknown().optional(),
});
export const updateWorkflowSchema = z.object({
  name: workflowNameSchema.optional(),
  description: z.string().trim().max(2000).nullable().optional(),
  definition: z.unknown().optional(),
  /** The draft revision the edit was based on; a newer draft answers 409 instead of being overwritten. */
  baseRevision: z.iso.datetime({ message: "Send the revision you read (an ISO date-time such as 2026-01-31T09:00:00.000Z)" }).optional(),
});
export const publishSchema = z.object({ definition: z.unknown().optional() });
export const revertSchema = z.object({ version: z.number().int().positive() });
export const listWorkflowsSchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(64).optional(),
});

export type WorkflowSummary = {
  id: string;
  name: string;
  description: string | null;
  enabled: boolean;
  publishedVersion: number | null;
  /** Changes with every draft save; send it back as baseRevision to avoid lost updates. */
  revision: string;
  hasUnpublishedChanges: boolean;
  createdAt: string;
  updatedAt: string;
};
export type WorkflowDetail = WorkflowSummary & { draft: WorkflowDefinition; problems: Problem[]; changes: DefinitionDiff | null };
export type VersionSummary = { number: number; createdAt: string; createdBy: string | null; published: boolean };

const withPublished = { publishedVersion: { select: { number: true, definition: true } } } as const;
type Row = Prisma.WorkflowGetPayload<{ include: typeof withPublished }>;

function summarize(row: Row): WorkflowSummary {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    enabled: row.enabled,
    publishedVersion: row.publishedVersion?.number ?? null,
    revision: row.draftUpdatedAt.toISOString(),
    hasUnpublishedChanges: !row.publishedVersion || !jsonEqual(row.publishedVersion.definition, row.draft),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function detail(catalog: NodeCatalog, row: Row): WorkflowDetail {
  const draft = loadDefinition(row.draft, catalog);
  return {
    ...summarize(row),
    draft,
    problems: validateDefinition(draft, { mode: "draft", catalog }),
    changes: row.publishedVersion ? summarizeDiff(loadDefinition(row.publishedVersion.definition, catalog), draft) : null,
  };
}

const invalidDefinition = (problems: Problem[], mode: ValidationMode) =>
  new AppError("validation_failed", mode === "strict" ? "The workflow cannot be published: fix the problems listed" : "The workflow definition is not valid", {
    issues: problems.map(({ path, message, code, severity, nodeId, edgeId }) => ({ path: ["definition", ...path], message, code, severity, nodeId, edgeId })),
    remediation:
      mode === "strict" ? "Fill in the missing fields and fix the errors, then publish again." : "Fix the errors listed; warnings may stay in a draft.",
  });

/** Validates and normalizes a submitted definition (node configs stamped with their version). */
export function acceptDefinition(catalog: NodeCatalog, raw: unknown, mode: ValidationMode): WorkflowDefinition {
  const problems = validateDefinition(raw, { mode, catalog });
  if (problems.some((p) => p.severity === "error")) throw invalidDefinition(problems, mode);
  return loadDefinition(raw, catalog);
}

async function findRow(db: Db | Tx, caller: Caller, id: string): Promise<Row> {
  const row = await db.workflow.findFirst({ where: { id, companyId: caller.companyId, deletedAt: null }, include: withPublished });
  if (!row) throw notFound("Workflow");
  return row;
}

const actor = (caller: Caller) => ({ companyId: caller.companyId, actorUserId: caller.userId, actorApiKey: caller.apiKeyId });
// What the database will hand back: optional fields left undefined are dropped, as JSON drops them.
const asJson = (definition: WorkflowDefinition) => JSON.parse(JSON.stringify(definition)) as Prisma.InputJsonValue;

export async function listWorkflows(db: Db, caller: Caller, raw: unknown = {}): Promise<{ workflows: WorkflowSummary[]; nextCursor: string | null }> {
  const { limit, cursor } = listWorkflowsSchema.parse(raw);
  const rows = await db.workflow.findMany({
    where: { companyId: caller.companyId, deletedAt: null },
    include: withPublished,
    orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  return { workflows: rows.slice(0, limit).map(summarize), nextCursor: rows.length > limit ? rows[limit - 1]!.id : null };
}

export async function getWorkflow(db: Db, catalog: NodeCatalog, caller: Caller, id: string): Promise<WorkflowDetail> {
  return detail(catalog, await findRow(db, caller, id));
}

export async function createWorkflow(db: Db, catalog: NodeCatalog, caller: Caller, raw: unknown): Promise<WorkflowDetail> {
  requireRole(caller, "admin");
  const input = createWorkflowSchema.parse(raw);
  const definition = input.definition === undefined ? emptyDefinition() : acceptDefinition(catalog, input.definition, "draft");
  return db.$transaction(async (tx) => {
    const row = await tx.workflow.create({
      data: { companyId: caller.companyId, name: input.name, description: input.description ?? null, draft: asJson(definition) },
      include: withPublished,
    });
    await audit(tx, actor(caller), "workflow.created", "workflow", row.id);
    return detail(catalog, row);
  });
}

export async function updateWorkflow(db: Db, catalog: NodeCatalog, caller: Caller, id: string, raw: unknown): Promise<WorkflowDetail> {
  requireRole(caller, "admin");
  const input = updateWorkflowSchema.parse(raw);
  const definition = input.definition === undefined ? undefined : acceptDefinition(catalog, input.definition, "draft");
  return db.$transaction(async (tx) => {
    const current = await findRow(tx, caller, id);
    // Conditional on the revision the editor started from, so two editors never silently overwrite each other.
    const { count } = await tx.workflow.updateMany({
      where: { id, ...(input.baseRevision ? { draftUpdatedAt: new Date(input.baseRevision) } : {}) },
      data: {
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.description === undefined ? {} : { description: input.description }),
        ...(definition === undefined
          ? {}
          : { draft: asJson(definition), draftUpdatedAt: new Date(Math.max(Date.now(), current.draftUpdatedAt.getTime() + 1)) }),
      },
    });
    if (count === 0) {
      throw new AppError("conflict", "The draft was changed by someone else since you loaded it", {
        remediation: "Reload the workflow, reapply your change, and save again.",
      });
    }
    await audit(tx, actor(caller), "workflow.updated", "workflow", id);
    return detail(catalog, await findRow(tx, caller, id));
  });
}

export async function deleteWorkflow(db: Db, caller: Caller, id: string): Promise<void> {
  requireRole(caller, "admin");
  await db.$transaction(async (tx) => {
    await findRow(tx, caller, id);
    // Kept, not erased: its runs and their history still point at it.
    await tx.workflow.update({ where: { id }, data: { deletedAt: new Date(), enabled: false } });
    await audit(tx, actor(caller), "workflow.deleted", "workflow", id);
  });
}

/** The problems of the draft, or of a definition sent for checking, in the given mode. */
export async function validateWorkflow(
  db: Db,
  catalog: NodeCatalog,
  caller: Caller,
  id: string,
  raw: { definition?: unknown; mode?: ValidationMode },
): Promise<Problem[]> {
  const row = await findRow(db, caller, id);
  const candidate = raw.definition === undefined ? row.draft : raw.definition;
  const mode = raw.mode ?? "strict";
  const problems = validateDefinition(candidate, { mode, catalog });
  // Strict is what publishing checks: it also says which steps the policy would stop.
  if (mode !== "strict" || problems.some((problem) => problem.severity === "error")) return problems;
  const definition = acceptDefinition(catalog, candidate, "strict");
  return [...problems, ...hostLimitProblems(catalog, definition), ...(await policyWarnings(db, catalog, caller, row, definition))];
}

/** The steps the company's (and this workflow's) policy blocks: said at publish, not refused. */
async function policyWarnings(db: Db | Tx, catalog: NodeCatalog, caller: Caller, row: Row, definition: WorkflowDefinition): Promise<Problem[]> {
  const company = await db.company.findUniqueOrThrow({ where: { id: caller.companyId }, select: { policy: true } });
  return policyProblems(definition, catalog, snapshotPolicy(company.policy, row.policy));
}

/**
 * Snapshots the draft (or the definition sent, which also becomes the draft) as the next version
 * and points the workflow at it, in one transaction with the workflow row locked, so concurrent
 * publishes get distinct numbers and none is lost. Publishing what is already published is a no-op.
 * `warnings` lists the nodes the company's policy blocks: they do not stop the publish.
 */
export async function publishWorkflow(
  db: Db,
  catalog: NodeCatalog,
  caller: Caller,
  id: string,
  raw: unknown = {},
): Promise<{ version: number; created: boolean; workflow: WorkflowDetail; warnings: Problem[] }> {
  requireRole(caller, "admin");
  const input = publishSchema.parse(raw);
  const sent = input.definition === undefined ? undefined : acceptDefinition(catalog, input.definition, "strict");
  const before = await publishedTriggerType(db, caller, id);
  const published = await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<
      { id: string }[]
    >`SELECT id FROM "Workflow" WHERE id = ${id} AND "companyId" = ${caller.companyId} AND "deletedAt" IS NULL FOR UPDATE`;
    if (locked.length === 0) throw notFound("Workflow");
    if (sent) await tx.workflow.update({ where: { id }, data: { draft: asJson(sent), draftUpdatedAt: new Date() } });
    const row = await findRow(tx, caller, id);
    const definition = sent ?? acceptDefinition(catalog, row.draft, "strict");
    const limits = hostLimitProblems(catalog, definition);
    if (limits.length > 0) throw invalidDefinition(limits, "strict");
    // Publishing is not refused for what the policy blocks (an admin may allow it before a run), but said.
    const warnings = await policyWarnings(tx, catalog, caller, row, definition);
    if (row.publishedVersion && jsonEqual(row.publishedVersion.definition, asJson(definition))) {
      return { version: row.publishedVersion.number, created: false, workflow: detail(catalog, row), warnings };
    }
    const last = await tx.workflowVersion.aggregate({ where: { workflowId: id }, _max: { number: true } });
    const version = await tx.workflowVersion.create({
      data: { workflowId: id, number: (last._max.number ?? 0) + 1, definition: asJson(definition), createdById: caller.userId },
    });
    await tx.workflow.update({ where: { id }, data: { publishedVersionId: version.id } });
    await audit(tx, actor(caller), "workflow.published", "workflow", id, { version: version.number });
    return { version: version.number, created: true, workflow: detail(catalog, await findRow(tx, caller, id)), warnings };
  });
  // Also after a no-op publish: publishing again is how a person retries a sync that failed.
  await syncTriggers(db, catalog, id, [before, published.workflow.draft.trigger.type]);
  return published;
}

/** The trigger's limits on this host (publishProblems in trigger-types.ts): errors at publish, like strict validation's. */
function hostLimitProblems(catalog: NodeCatalog, definition: WorkflowDefinition): Problem[] {
  const spec = catalog.trigger(definition.trigger.type);
  const config = spec?.publishProblems ? spec.config.safeParse(definition.trigger.config ?? {}) : null;
  if (!spec?.publishProblems || !config?.success) return [];
  return spec.publishProblems(config.data).map(({ path, message }) => ({
    severity: "error",
    code: "config_invalid",
    message,
    path: ["trigger", "config", ...path],
  }));
}

async function publishedTriggerType(db: Db | Tx, caller: Caller, id: string): Promise<string | undefined> {
  const row = await db.workflow.findFirst({ where: { id, companyId: caller.companyId }, select: { publishedVersion: { select: { definition: true } } } });
  return (row?.publishedVersion?.definition as { trigger?: { type?: string } } | undefined)?.trigger?.type;
}

/** After the commit: each trigger type involved makes the outside world match the workflow (its `sync`). */
async function syncTriggers(db: Db, catalog: NodeCatalog, id: string, types: (string | undefined)[]) {
  for (const type of new Set(types)) {
    const spec = type ? catalog.trigger(type) : undefined;
    if (spec?.sync) await spec.sync(db, id);
  }
}

export async function listVersions(db: Db, caller: Caller, id: string): Promise<VersionSummary[]> {
  const row = await findRow(db, caller, id);
  const versions = await db.workflowVersion.findMany({
    where: { workflowId: id },
    orderBy: { number: "desc" },
    select: { id: true, number: true, createdAt: true, createdBy: { select: { email: true } } },
  });
  return versions.map((v) => ({
    number: v.number,
    createdAt: v.createdAt.toISOString(),
    createdBy: v.createdBy?.email ?? null,
    published: v.id === row.publishedVersionId,
  }));
}

export async function getVersion(
  db: Db,
  catalog: NodeCatalog,
  caller: Caller,
  id: string,
  number: number,
): Promise<VersionSummary & { definition: WorkflowDefinition }> {
  const row = await findRow(db, caller, id);
  const version = await db.workflowVersion.findUnique({
    where: { workflowId_number: { workflowId: id, number } },
    include: { createdBy: { select: { email: true } } },
  });
  if (!version) throw notFound("Version");
  return {
    number: version.number,
    createdAt: version.createdAt.toISOString(),
    createdBy: version.createdBy?.email ?? null,
    published: version.id === row.publishedVersionId,
    definition: loadDefinition(version.definition, catalog),
  };
}

/** Replaces the draft with an earlier version's definition; the published version is untouched. */
export async function revertDraft(db: Db, catalog: NodeCatalog, caller: Caller, id: string, raw: unknown): Promise<WorkflowDetail> {
  requireRole(caller, "admin");
  const { version: number } = revertSchema.parse(raw);
  return db.$transaction(async (tx) => {
    await findRow(tx, caller, id);
    const version = await tx.workflowVersion.findUnique({ where: { workflowId_number: { workflowId: id, number } } });
    if (!version) throw notFound("Version");
    await tx.workflow.update({ where: { id }, data: { draft: version.definition as Prisma.InputJsonValue, draftUpdatedAt: new Date() } });
    await audit(tx, actor(caller), "workflow.reverted", "workflow", id, { version: number });
    return detail(catalog, await findRow(tx, caller, id));
  });
}

/** Enabled workflows start runs from their triggers; only a published one can be enabled. */
export async function setWorkflowEnabled(db: Db, catalog: NodeCatalog, caller: Caller, id: string, enabled: boolean): Promise<WorkflowDetail> {
  requireRole(caller, "admin");
  const workflow = await db.$transaction(async (tx) => {
    const row = await findRow(tx, caller, id);
    if (enabled && !row.publishedVersionId) {
      throw new AppError("conflict", "Publish the workflow before enabling it", { remediation: "Publish a version; its trigger then starts runs." });
    }
    // enabledAt: a schedule fires no tick from before it was (re-)enabled.
    await tx.workflow.update({ where: { id }, data: { enabled, ...(enabled && !row.enabled ? { enabledAt: new Date() } : {}) } });
    await audit(tx, actor(caller), enabled ? "workflow.enabled" : "workflow.disabled", "workflow", id);
    return detail(catalog, await findRow(tx, caller, id));
  });
  await syncTriggers(db, catalog, id, [await publishedTriggerType(db, caller, id)]);
  return workflow;
}
