import { AppError } from "@/lib/errors";
import type { Db } from "@/lib/db";
import { hashPassword } from "@/lib/auth/password";
import { signUpSchema } from "@/lib/companies/schemas";
import { uniqueSlug } from "@/lib/companies/slug";
import { Prisma } from "@/lib/generated/prisma/client";
import { audit } from "@/lib/audit";
import { acceptInviteIn } from "@/lib/companies/invites";

const duplicateEmail = () =>
  new AppError("conflict", "An account with this email already exists", {
    issues: [{ path: ["email"], message: "An account with this email already exists. Sign in instead." }],
    remediation: "Sign in, or use another email address.",
  });

/**
 * Creates a user and, in the same transaction, either their first company (with them as owner)
 * or their membership of the company whose invite they followed.
 */
export async function signUp(db: Db, raw: unknown): Promise<{ userId: string; companyId: string }> {
  const input = signUpSchema.parse(raw);
  if (await db.user.findUnique({ where: { email: input.email }, select: { id: true } })) throw duplicateEmail();
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email: input.email, name: input.name, passwordHash } });
      if (input.inviteToken) return { userId: user.id, ...(await acceptInviteIn(tx, user.id, input.inviteToken)) };
      const name = input.company!;
      const company = await tx.company.create({ data: { name, slug: await uniqueSlug(tx, name) } });
      await tx.membership.create({ data: { companyId: company.id, userId: user.id, role: "owner" } });
      await audit(tx, { companyId: company.id, actorUserId: user.id }, "company.created", "company", company.id);
      return { userId: user.id, companyId: company.id };
    });
  } catch (error) {
    // a concurrent sign-up with the same email won the race
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw duplicateEmail();
    throw error;
  }
}

/** Adds another company with the user as its owner (the company switcher's "New company"). */
export async function createCompanyFor(db: Db, userId: string, name: string): Promise<{ companyId: string }> {
  return db.$transaction(async (tx) => {
    const company = await tx.company.create({ data: { name, slug: await uniqueSlug(tx, name) } });
    await tx.membership.create({ data: { companyId: company.id, userId, role: "owner" } });
    await audit(tx, { companyId: company.id, actorUserId: userId }, "company.created", "company", company.id);
    return { companyId: company.id };
  });
}
