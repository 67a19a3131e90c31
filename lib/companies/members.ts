import type { Db, Tx } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import { audit } from "@/lib/audit";
import { requireRole, type Caller, type Role } from "@/lib/auth/roles";
import { changeRoleSchema, idSchema, renameCompanySchema } from "@/lib/companies/schemas";

export type MemberSummary = { id: string; userId: string; email: string; name: string | null; role: Role; createdAt: Date };

export async function listMembers(db: Db, caller: Caller): Promise<MemberSummary[]> {
  const rows = await db.membership.findMany({
    where: { companyId: caller.companyId },
    include: { user: { select: { email: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((m) => ({ id: m.id, userId: m.userId, email: m.user.email, name: m.user.name, role: m.role, createdAt: m.createdAt }));
}

const lastOwner = () => new AppError("conflict", "A company needs at least one owner", { remediation: "Make another member owner first." });

async function ownerCount(tx: Tx, companyId: string) {
  return tx.membership.count({ where: { companyId, role: "owner" } });
}

export async function changeRole(db: Db, caller: Caller, raw: unknown): Promise<void> {
  requireRole(caller, "owner");
  const { membershipId, role } = changeRoleSchema.parse(raw);
  await db.$transaction(async (tx) => {
    const membership = await tx.membership.findFirst({
      where: { id: membershipId, companyId: caller.companyId },
      include: { user: { select: { email: true } } },
    });
    if (!membership) throw notFound("Member");
    if (membership.role === "owner" && role !== "owner" && (await ownerCount(tx, caller.companyId)) <= 1) throw lastOwner();
    await tx.membership.update({ where: { id: membership.id }, data: { role } });
    await audit(tx, { companyId: caller.companyId, actorUserId: caller.userId }, "member.role_changed", "membership", membership.id, {
      email: membership.user.email,
      from: membership.role,
      role,
    });
  });
}

/** Admins remove members and admins, owners remove anyone; everyone may leave. */
export async function removeMember(db: Db, caller: Caller, raw: unknown): Promise<void> {
  const { id } = idSchema.parse(raw);
  await db.$transaction(async (tx) => {
    const membership = await tx.membership.findFirst({ where: { id, companyId: caller.companyId }, include: { user: { select: { email: true } } } });
    if (!membership) throw notFound("Member");
    const self = membership.userId === caller.userId;
    if (!self) requireRole(caller, membership.role === "owner" ? "owner" : "admin");
    if (membership.role === "owner" && (await ownerCount(tx, caller.companyId)) <= 1) throw lastOwner();
    await tx.membership.delete({ where: { id: membership.id } });
    await audit(tx, { companyId: caller.companyId, actorUserId: caller.userId }, "member.removed", "membership", membership.id, {
      email: membership.user.email,
      role: membership.role,
    });
  });
}

export async function renameCompany(db: Db, caller: Caller, raw: unknown): Promise<void> {
  requireRole(caller, "admin");
  const { name } = renameCompanySchema.parse(raw);
  await db.$transaction(async (tx) => {
    const { name: from } = await tx.company.findUniqueOrThrow({ where: { id: caller.companyId }, select: { name: true } });
    await tx.company.update({ where: { id: caller.companyId }, data: { name } });
    await audit(tx, { companyId: caller.companyId, actorUserId: caller.userId, actorApiKey: caller.apiKeyId }, "company.renamed", "company", caller.companyId, {
      from,
      name,
    });
  });
}

export type CompanyChoice = { id: string; name: string; role: Role };

export async function companiesOf(db: Db, userId: string): Promise<CompanyChoice[]> {
  const rows = await db.membership.findMany({ where: { userId }, include: { company: { select: { name: true } } }, orderBy: { createdAt: "asc" } });
  return rows.map((m) => ({ id: m.companyId, name: m.company.name, role: m.role }));
}

/** The caller for a signed-in user: the preferred company if they belong to it, else their first. */
export async function callerForUser(db: Db, userId: string, preferredCompanyId?: string | null): Promise<Caller | null> {
  const memberships = await db.membership.findMany({ where: { userId }, orderBy: { createdAt: "asc" }, select: { companyId: true, role: true } });
  const chosen = memberships.find((m) => m.companyId === preferredCompanyId) ?? memberships[0];
  return chosen ? { companyId: chosen.companyId, role: chosen.role, userId, apiKeyId: null } : null;
}

export async function assertMember(db: Db, userId: string, companyId: string): Promise<void> {
  const membership = await db.membership.findUnique({ where: { companyId_userId: { companyId, userId } }, select: { id: true } });
  if (!membership) throw notFound("Company");
}
