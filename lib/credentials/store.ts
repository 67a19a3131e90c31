import { z } from "zod";
import { audit, auditActor } from "@/lib/audit";
import type { Caller } from "@/lib/auth/roles";
import { hasRole } from "@/lib/auth/roles";
import type { Db, Tx } from "@/lib/db";
import { AppError, forbidden, notFound } from "@/lib/errors";
import type { Credential, CredentialStatus, CredentialType } from "@/lib/generated/prisma/client";
import { openJson, sealJson, type Keyring } from "@/lib/credentials/crypto";

// Stored connections (Credential rows): saving sealed key material, masked summaries for pages and
// APIs, and the management operations of Settings > Integrations with their role checks. Nothing
// here decrypts except openSecret, which only lib/integrations/execute.ts and connections.ts call.

export type ConnectionOwner = { companyId: string; userId?: never } | { userId: string; companyId?: never };

/** What pages, server actions and APIs may show about a connection: no key material, ever. */
export type ConnectionSummary = {
  id: string;
  appId: string;
  owner: "company" | "user";
  type: CredentialType;
  status: CredentialStatus;
  /** The workspace / account name. */
  displayName: string;
  accountId: string | null;
  scopes: string[];
  tokenExpiresAt: string | null;
  lastValidatedAt: string | null;
  isTeamDefaultProfile: boolean;
  isUserCurrentProfile: boolean;
  /** Where its steps go when they name no channel (company level; a workflow may set its own). */
  defaultChannel: string | null;
  createdAt: string;
};

export function summarize(row: Credential): ConnectionSummary {
  return {
    id: row.id,
    appId: row.appId,
    owner: row.companyId ? "company" : "user",
    type: row.type,
    status: row.status,
    displayName: row.displayName,
    accountId: row.accountId,
    scopes: row.scopes ? row.scopes.split(",").filter(Boolean) : [],
    tokenExpiresAt: row.tokenExpiresAt?.toISOString() ?? null,
    lastValidatedAt: row.lastValidatedAt?.toISOString() ?? null,
    isTeamDefaultProfile: row.isTeamDefaultProfile,
    isUserCurrentProfile: row.isUserCurrentProfile,
    defaultChannel: row.defaultChannel,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Decrypts a connection's key material. Only the runner (execute.ts) and the connection checks call it. */
export function openSecret<T = unknown>(row: Pick<Credential, "keyId" | "ciphertext">, keyring?: Keyring): T {
  return openJson({ keyId: row.keyId, ciphertext: row.ciphertext }, keyring) as T;
}

export type SaveConnectionInput = {
  owner: ConnectionOwner;
  app: { id: string; name: string };
  type: CredentialType;
  secret: unknown;
  displayName: string;
  accountId: string;
  scopes?: readonly string[];
  tokenExpiresAt: Date | null;
  createdById: string | null;
};

/**
 * Stores a connection. Connecting the same account again (same owner, app and account id) updates
 * that connection instead of adding a twin: that is how "Reconnect" works. The owner's first
 * connection for an app becomes its company default / current profile.
 */
export async function saveConnection(db: Db, input: SaveConnectionInput): Promise<Credential> {
  const sealed = sealJson(input.secret);
  const ownerWhere = input.owner.companyId ? { companyId: input.owner.companyId } : { userId: input.owner.userId! };
  const fields = {
    keyId: sealed.keyId,
    ciphertext: sealed.ciphertext,
    status: "connected" as const,
    displayName: input.displayName.slice(0, 200),
    scopes: input.scopes?.join(",") ?? null,
    tokenExpiresAt: input.tokenExpiresAt,
    lastValidatedAt: new Date(),
  };
  await db.app.upsert({ where: { id: input.app.id }, create: input.app, update: {} });
  return db.$transaction(async (tx) => {
    const existing = await tx.credential.findFirst({ where: { ...ownerWhere, appId: input.app.id, accountId: input.accountId } });
    if (existing) return tx.credential.update({ where: { id: existing.id }, data: fields });
    const siblings = await tx.credential.count({ where: { ...ownerWhere, appId: input.app.id } });
    return tx.credential.create({
      data: {
        ...ownerWhere,
        ...fields,
        appId: input.app.id,
        type: input.type,
        accountId: input.accountId,
        createdById: input.createdById,
        isTeamDefaultProfile: Boolean(input.owner.companyId) && siblings === 0,
        isUserCurrentProfile: Boolean(input.owner.userId) && siblings === 0,
      },
    });
  });
}

/** The company's connections and the caller's own, newest first. */
export async function listConnections(db: Db, caller: Caller, appId?: string): Promise<ConnectionSummary[]> {
  const owners = [{ companyId: caller.companyId }, ...(caller.userId ? [{ userId: caller.userId }] : [])];
  const rows = await db.credential.findMany({ where: { OR: owners, ...(appId ? { appId } : {}) }, orderBy: { createdAt: "desc" } });
  return rows.map(summarize);
}

export const connectionIdSchema = z.object({ id: z.string().min(1).max(64) });

/**
 * A connection the caller may manage: a company connection of their company (admins and owners)
 * or one of their own. Another company's or person's connection is simply not found.
 */
export async function findManageable(db: Db | Tx, caller: Caller, id: string): Promise<Credential> {
  const row = await db.credential.findUnique({ where: { id } });
  const visible = row && (row.companyId === caller.companyId || (caller.userId !== null && row.userId === caller.userId));
  if (!row || !visible) throw notFound("Connection");
  if (row.companyId && !hasRole(caller.role, "admin")) throw forbidden("Only admins and owners manage the company's connections");
  return row;
}

export async function setPaused(db: Db, caller: Caller, raw: unknown, paused: boolean): Promise<ConnectionSummary> {
  const { id } = connectionIdSchema.parse(raw);
  const row = await findManageable(db, caller, id);
  if (!paused && row.status !== "paused") return summarize(row);
  if (paused && row.status === "paused") return summarize(row);
  // Resuming a connection that needs attention would hide the problem: it stays needs_attention.
  const updated = await db.credential.update({ where: { id }, data: { status: paused ? "paused" : "connected" } });
  await audit(db, auditActor(caller), paused ? "connection.paused" : "connection.resumed", "connection", id, {
    app: row.appId,
    account: row.displayName,
    from: row.status,
  });
  return summarize(updated);
}

/** Company connection → the company default for its app; own connection → my current profile for it. */
export async function makePreferred(db: Db, caller: Caller, raw: unknown): Promise<ConnectionSummary> {
  const { id } = connectionIdSchema.parse(raw);
  return db.$transaction(async (tx) => {
    const row = await findManageable(tx, caller, id);
    if (row.companyId) {
      await tx.credential.updateMany({ where: { companyId: row.companyId, appId: row.appId, NOT: { id } }, data: { isTeamDefaultProfile: false } });
      return summarize(await tx.credential.update({ where: { id }, data: { isTeamDefaultProfile: true } }));
    }
    await tx.credential.updateMany({ where: { userId: row.userId, appId: row.appId, NOT: { id } }, data: { isUserCurrentProfile: false } });
    return summarize(await tx.credential.update({ where: { id }, data: { isUserCurrentProfile: true } }));
  });
}

/**
 * Binds a connection to another account of the same authorization (a Fatture in Cloud
 * connection switched to another company). The secret is read and rewritten under the row's
 * lock, so a token refreshed meanwhile is never overwritten by an older one. Refused when the
 * owner already has another connection for that account.
 */
export async function rebindConnection(
  db: Db,
  id: string,
  account: { displayName: string; accountId: string },
  bind: (secret: unknown) => unknown,
): Promise<Credential> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Pick<Credential, "keyId" | "ciphertext" | "companyId" | "userId" | "appId">[]>`
      SELECT "keyId", "ciphertext", "companyId", "userId", "appId" FROM "Credential" WHERE "id" = ${id} FOR UPDATE`;
    const row = rows[0];
    if (!row) throw notFound("Connection");
    const owner = row.companyId ? { companyId: row.companyId } : { userId: row.userId };
    const twin = await tx.credential.findFirst({ where: { ...owner, appId: row.appId, accountId: account.accountId, NOT: { id } } });
    if (twin) {
      throw new AppError("conflict", `Another connection already uses ${account.displayName}`, {
        remediation: `Use the connection "${twin.displayName}", or disconnect it first`,
      });
    }
    const sealed = sealJson(bind(openJson(row)));
    return tx.credential.update({
      where: { id },
      data: { ...sealed, displayName: account.displayName.slice(0, 200), accountId: account.accountId, lastValidatedAt: new Date() },
    });
  });
}

export async function deleteConnection(db: Db, id: string): Promise<void> {
  await db.credential.delete({ where: { id } });
}

export async function markNeedsAttention(db: Db, id: string): Promise<void> {
  await db.credential.updateMany({ where: { id, status: { not: "paused" } }, data: { status: "needs_attention" } });
}

export async function markValidated(db: Db, id: string): Promise<void> {
  // A check that passed clears needs_attention, but never resumes a connection someone paused.
  const lastValidatedAt = new Date();
  await db.credential.updateMany({ where: { id, status: { not: "paused" } }, data: { lastValidatedAt, status: "connected" } });
  await db.credential.updateMany({ where: { id, status: "paused" }, data: { lastValidatedAt } });
}

export const ensureConnectionOwner = (caller: Caller, owner: "company" | "user"): ConnectionOwner => {
  if (owner === "company") {
    if (!hasRole(caller.role, "admin")) throw forbidden("Only admins and owners connect accounts for the company");
    return { companyId: caller.companyId };
  }
  if (!caller.userId) throw new AppError("bad_request", "An API key has no personal connections", { remediation: "Connect it for the company instead." });
  return { userId: caller.userId };
};
