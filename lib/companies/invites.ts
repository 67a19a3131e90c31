import { createHash, randomBytes } from "node:crypto";
import type { Db, Tx } from "@/lib/db";
import { AppError, forbidden, notFound } from "@/lib/errors";
import { audit } from "@/lib/audit";
import { hasRole, requireRole, type Caller, type Role } from "@/lib/auth/roles";
import { createInviteSchema, idSchema } from "@/lib/companies/schemas";

const INVITE_TTL_MS = 7 * 24 * 60 * 60_000;
const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export type InviteSummary = { id: string; role: Role; expiresAt: Date; createdAt: Date; invitedBy: string };

/** Creates an invite link (shown once: only its hash is stored). */
export async function createInvite(db: Db, caller: Caller, raw: unknown, appUrl: string): Promise<{ url: string; invite: InviteSummary }> {
  requireRole(caller, "admin");
  if (!caller.userId) throw forbidden("Invites are created by people, not API keys");
  const { role } = createInviteSchema.parse(raw);
  if (!hasRole(caller.role, role)) throw forbidden(`You cannot invite someone as ${role}`);
  const token = randomBytes(24).toString("base64url");
  const invite = await db.$transaction(async (tx) => {
    const created = await tx.invitation.create({
      data: { companyId: caller.companyId, role, tokenHash: hashToken(token), invitedById: caller.userId!, expiresAt: new Date(Date.now() + INVITE_TTL_MS) },
      include: { invitedBy: { select: { email: true } } },
    });
    await audit(tx, { companyId: caller.companyId, actorUserId: caller.userId }, "invite.created", "invitation", created.id, { role });
    return created;
  });
  return {
    url: `${appUrl}/invite/${token}`,
    invite: { id: invite.id, role: invite.role, expiresAt: invite.expiresAt, createdAt: invite.createdAt, invitedBy: invite.invitedBy.email },
  };
}

export async function listInvites(db: Db, caller: Caller): Promise<InviteSummary[]> {
  requireRole(caller, "admin");
  const rows = await db.invitation.findMany({
    where: { companyId: caller.companyId, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    include: { invitedBy: { select: { email: true } } },
    orderBy: { createdAt: "desc" },
  });
  return rows.map((i) => ({ id: i.id, role: i.role, expiresAt: i.expiresAt, createdAt: i.createdAt, invitedBy: i.invitedBy.email }));
}

export async function revokeInvite(db: Db, caller: Caller, raw: unknown): Promise<void> {
  requireRole(caller, "admin");
  const { id } = idSchema.parse(raw);
  await db.$transaction(async (tx) => {
    const { count } = await tx.invitation.updateMany({
      where: { id, companyId: caller.companyId, acceptedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count === 0) throw notFound("Invite");
    await audit(tx, { companyId: caller.companyId, actorUserId: caller.userId }, "invite.revoked", "invitation", id);
  });
}

const invalidInvite = () => new AppError("not_found", "This invite link is no longer valid", { remediation: "Ask the person who invited you for a new link." });

async function openInvite(db: Pick<Db, "invitation">, token: string) {
  const invite = await db.invitation.findUnique({ where: { tokenHash: hashToken(token) }, include: { company: { select: { name: true } } } });
  if (!invite || invite.acceptedAt || invite.revokedAt || invite.expiresAt <= new Date()) throw invalidInvite();
  return invite;
}

/** What the invite page shows before the person accepts. */
export async function previewInvite(db: Db, token: string): Promise<{ companyName: string; role: Role }> {
  const invite = await openInvite(db, token);
  return { companyName: invite.company.name, role: invite.role };
}

/** Accepts inside the caller's transaction (sign-up creates the user in the same one). */
export async function acceptInviteIn(tx: Tx, userId: string, token: string): Promise<{ companyId: string }> {
  const invite = await openInvite(tx, token);
  const existing = await tx.membership.findUnique({ where: { companyId_userId: { companyId: invite.companyId, userId } } });
  if (!existing) await tx.membership.create({ data: { companyId: invite.companyId, userId, role: invite.role } });
  // single use: a second accept of the same link fails in openInvite
  await tx.invitation.update({ where: { id: invite.id }, data: { acceptedAt: new Date() } });
  await audit(tx, { companyId: invite.companyId, actorUserId: userId }, "invite.accepted", "invitation", invite.id, { role: invite.role });
  return { companyId: invite.companyId };
}

export async function acceptInvite(db: Db, userId: string, token: string): Promise<{ companyId: string }> {
  return db.$transaction((tx) => acceptInviteIn(tx, userId, token));
}
