import type { Db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";

type Actor = { companyId: string; actorUserId?: string | null; actorApiKey?: string | null };

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
