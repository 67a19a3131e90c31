import { forbidden } from "@/lib/errors";
import type { Role } from "@/lib/generated/prisma/enums";

export type { Role } from "@/lib/generated/prisma/enums";

const rank: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

export const hasRole = (role: Role, atLeast: Role) => rank[role] >= rank[atLeast];

/** Who is calling and as which company: from a session (userId) or an API key (apiKeyId). */
export type Caller = {
  companyId: string;
  role: Role;
  userId: string | null;
  apiKeyId: string | null;
};

export function requireRole(caller: Caller, atLeast: Role): void {
  if (!hasRole(caller.role, atLeast)) throw forbidden(`This needs the ${atLeast} role; you are ${caller.role}`);
}
