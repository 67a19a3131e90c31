import { handle } from "@/lib/api/operation";
import { getMe } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = handle(getMe, async ({ db, caller }) => {
  const company = await db.company.findUniqueOrThrow({ where: { id: caller.companyId }, select: { id: true, name: true, slug: true } });
  return { company, role: caller.role };
});
