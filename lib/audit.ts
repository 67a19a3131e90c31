import { z } from "zod";
import { requireRole, type Caller } from "@/lib/auth/roles";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";

type Actor = { companyId: string; actorUserId?: string | null; actorApiKey?: string | null };

/** The actor of a change made by a caller (a person or an API key). */
export const auditActor = (caller: Caller): Actor => ({ companyId: caller.companyId, actorUserId: caller.userId, actorApiKey: caller.apiKeyId });

/** Appends to the company's audit log; call inside the transaction that made the change. */
export async function audit(
  db: Pick<Db, "auditLog">,
  actor: Actor,
  action: string,
  targetType: string,
  targetId?: string,
  metadata?: Prisma.InputJsonValue,
): Promise<void> {
  await db.auditLog.create({
    data: {
      companyId: actor.companyId,
      actorUserId: actor.actorUserId ?? null,
      actorApiKey: actor.actorApiKey ?? null,
      action,
      targetType,
      targetId: targetId ?? null,
      ...(metadata === undefined ? {} : { metadata }),
    },
  });
}

// ── Reading it: Settings > Audit log and GET /api/v1/audit ──

type Meta = Record<string, unknown>;
const list = (value: unknown) => (Array.isArray(value) && value.length > 0 ? value.map((v) => text(v)).join(", ") : "nothing");
const policyText = (value: unknown) => {
  const { blockedProviders, blockedActions } = (value ?? {}) as { blockedProviders?: unknown; blockedActions?: unknown };
  const names = [...(Array.isArray(blockedProviders) ? blockedProviders : []), ...(Array.isArray(blockedActions) ? blockedActions : [])];
  return list(names);
};
const allowText = (value: unknown) => (value === null || value === undefined ? "the company's policy" : `only ${list(value)}`);
const text = (value: unknown, fallback = "?") => (typeof value === "string" || typeof value === "number" ? String(value) : fallback);

/**
 * Every kind of event the app records, with the short before → after summary people read. A kind
 * missing here still lists, with its metadata; the test keeps the two in step.
 */
export const auditEvents: Record<string, { label: string; summary: (m: Meta) => string }> = {
  "company.created": { label: "Company created", summary: () => "Created the company" },
  "company.renamed": { label: "Company renamed", summary: (m) => `${text(m.from)} → ${text(m.name)}` },
  "member.role_changed": { label: "Member role changed", summary: (m) => `${text(m.email, "A member")}: ${text(m.from)} → ${text(m.role)}` },
  "member.removed": { label: "Member removed", summary: (m) => `${text(m.email, "A member")} (${text(m.role)}) removed` },
  "invite.created": { label: "Invitation created", summary: (m) => `Invited as ${text(m.role)}` },
  "invite.revoked": { label: "Invitation revoked", summary: () => "Invitation revoked" },
  "invite.accepted": { label: "Member joined", summary: (m) => `Joined as ${text(m.role, "member")}` },
  "apikey.created": { label: "API key created", summary: (m) => `Key "${text(m.name)}" created` },
  "apikey.revoked": { label: "API key revoked", summary: (m) => `Key "${text(m.name)}" revoked` },
  "workflow.created": { label: "Workflow created", summary: () => "Created" },
  "workflow.updated": { label: "Workflow edited", summary: () => "Draft or details changed" },
  "workflow.published": { label: "Workflow published", summary: (m) => `Published version ${text(m.version)}` },
  "workflow.step_tested": {
    label: "Step tested live",
    summary: (m) => `${text(m.type)} step "${text(m.nodeId)}" run for real from the editor${m.failed ? " (it failed)" : ""}`,
  },
  "workflow.reverted": { label: "Draft reverted", summary: (m) => `Draft replaced by version ${text(m.version)}` },
  "workflow.enabled": { label: "Workflow enabled", summary: () => "disabled → enabled" },
  "workflow.disabled": { label: "Workflow disabled", summary: () => "enabled → disabled" },
  "workflow.deleted": { label: "Workflow deleted", summary: () => "Deleted (its runs stay in the history)" },
  "run.cancelled": { label: "Run cancelled", summary: (m) => `${text(m.from, "open")} → cancelled` },
  "run.replayed": { label: "Run replayed", summary: (m) => `Replay of run ${text(m.of)}` },
  "run.rerun": { label: "Run started again", summary: (m) => `Run ${text(m.of)} again on the latest version` },
  "run.undo_requested": { label: "Undo requested", summary: (m) => `Undo of ${text(m.effects, "its")} effect(s) queued` },
  "run.undone": {
    label: "Run's effects undone",
    summary: (m) => `${text(m.undone, "0")} undone, ${text(m.failed, "0")} failed${m.manual ? `, ${text(m.manual)} to undo by hand` : ""}`,
  },
  "policy.changed": { label: "Policy changed", summary: (m) => `Blocked: ${policyText(m.from)} → ${policyText(m.to)}` },
  "workflow.policy_changed": { label: "Workflow allowlist changed", summary: (m) => `${allowText(m.from)} → ${allowText(m.to)}` },
  "approval.approved": {
    label: "Approval approved",
    summary: (m) => `waiting → approved by ${text(m.by, "someone")}${m.comment ? `: "${text(m.comment)}"` : ""}`,
  },
  "approval.rejected": {
    label: "Approval rejected",
    summary: (m) => `waiting → rejected by ${text(m.by, "someone")}${m.comment ? `: "${text(m.comment)}"` : ""}`,
  },
  "connection.connected": { label: "Connection added", summary: (m) => `${text(m.app)} connected (${text(m.account)}, ${text(m.via)})` },
  "connection.disconnected": {
    label: "Connection removed",
    summary: (m) => `${text(m.app)} (${text(m.account)}) disconnected${m.revoked ? ", token revoked" : ""}`,
  },
  "connection.paused": { label: "Connection paused", summary: (m) => `${text(m.app)}: ${text(m.from)} → paused` },
  "connection.resumed": { label: "Connection resumed", summary: (m) => `${text(m.app)}: paused → connected` },
  "connection.default_channel": {
    label: "Default channel changed",
    summary: (m) => `${text(m.app)} (${text(m.account)}): ${text(m.from)} → ${text(m.to)}`,
  },
  "workflow.connection_set": {
    label: "Workflow connection set",
    summary: (m) => `${text(m.workflow)}: ${text(m.app)} uses ${text(m.connection)} connection, channel ${text(m.channel)}`,
  },
  "workflow.connection_paused": { label: "Paused on a workflow", summary: (m) => `${text(m.app)} paused on ${text(m.workflow)}` },
  "workflow.connection_resumed": { label: "Resumed on a workflow", summary: (m) => `${text(m.app)} resumed on ${text(m.workflow)}` },
  "document.deleted": { label: "Document deleted", summary: (m) => `"${text(m.name)}" deleted with its files and history` },
  "signature.requested": { label: "Signature requested", summary: (m) => `"${text(m.name)}" sent to ${text(m.signers)} signer(s)` },
  "signature.cancelled": { label: "Signature request cancelled", summary: (m) => `"${text(m.name)}": out for signature → draft` },
};

// A cursor is the last entry's time and id, so a page boundary never skips or repeats an entry.
const encodeCursor = (at: Date, id: string) => Buffer.from(JSON.stringify({ at: at.toISOString(), id })).toString("base64url");
function decodeCursor(value: string): { at: Date; id: string } {
  try {
    const parsed = z.object({ at: z.iso.datetime(), id: z.string().max(64) }).parse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
    return { at: new Date(parsed.at), id: parsed.id };
  } catch {
    throw new AppError("validation_failed", "The cursor is not one this API gave out", {
      issues: [{ path: ["cursor"], message: "Send nextCursor from the previous page" }],
    });
  }
}

export const listAuditSchema = z.object({
  action: z.string().max(64).optional().describe('An event kind ("workflow.published") or a prefix ending in a dot ("workflow.")'),
  actorUserId: z.string().max(64).optional(),
  targetType: z.string().max(64).optional(),
  targetId: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});

export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  action: z.string(),
  label: z.string(),
  summary: z.string(),
  actor: z.object({ kind: z.enum(["person", "apikey", "system"]), id: z.string().nullable(), name: z.string() }),
  target: z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullable() }),
  metadata: z.unknown(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** The company's audit log, newest first, filtered and paged; admins and owners (and API keys) only. */
export async function listAuditLog(db: Db, caller: Caller, raw: unknown): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  requireRole(caller, "admin");
  const query = listAuditSchema.parse(raw);
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  if (query.from && query.to && query.from > query.to) {
    throw new AppError("validation_failed", "from is after to", { issues: [{ path: ["from"], message: "Must not be after to" }] });
  }
  const rows = await db.auditLog.findMany({
    where: {
      companyId: caller.companyId,
      ...(query.action ? { action: query.action.endsWith(".") ? { startsWith: query.action } : query.action } : {}),
      ...(query.actorUserId ? { actorUserId: query.actorUserId } : {}),
      ...(query.targetType ? { targetType: query.targetType } : {}),
      ...(query.targetId ? { targetId: query.targetId } : {}),
      createdAt: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lte: new Date(query.to) } : {}) },
      ...(cursor ? { OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.limit + 1,
    include: { actor: { select: { email: true, name: true } } },
  });
  const page = rows.slice(0, query.limit);
  // Names for people to read, in two lookups per page rather than one per entry.
  const keyIds = [...new Set(page.flatMap((row) => (row.actorApiKey ? [row.actorApiKey] : [])))];
  const workflowIds = [...new Set(page.flatMap((row) => (row.targetType === "workflow" && row.targetId ? [row.targetId] : [])))];
  const [keys, workflows] = await Promise.all([
    keyIds.length ? db.apiKey.findMany({ where: { id: { in: keyIds }, companyId: caller.companyId }, select: { id: true, name: true } }) : [],
    workflowIds.length ? db.workflow.findMany({ where: { id: { in: workflowIds }, companyId: caller.companyId }, select: { id: true, name: true } }) : [],
  ]);
  const keyNames = new Map(keys.map((key) => [key.id, key.name]));
  const workflowNames = new Map(workflows.map((workflow) => [workflow.id, workflow.name]));
  const entries = page.map((row): AuditEntry => {
    const metadata = (row.metadata ?? {}) as Meta;
    const event = auditEvents[row.action];
    const actor: AuditEntry["actor"] = row.actorUserId
      ? { kind: "person", id: row.actorUserId, name: row.actor?.email ?? "a former member" }
      : row.actorApiKey
        ? { kind: "apikey", id: row.actorApiKey, name: `API key ${keyNames.get(row.actorApiKey) ?? "(revoked)"}` }
        : { kind: "system", id: null, name: typeof metadata.by === "string" ? metadata.by : "Flowline" };
    return {
      id: row.id,
      at: row.createdAt.toISOString(),
      action: row.action,
      label: event?.label ?? row.action,
      summary: event?.summary(metadata) ?? "",
      actor,
      target: { type: row.targetType, id: row.targetId, name: row.targetId ? (workflowNames.get(row.targetId) ?? null) : null },
      metadata: row.metadata,
    };
  });
  const last = page[page.length - 1];
  return { entries, nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null };
}
