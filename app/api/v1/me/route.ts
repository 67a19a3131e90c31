import { NextResponse } from "next/server";
import { getDb } from "@/lib/db";
import { route } from "@/lib/http/route";
import { authenticateApiKey } from "@/lib/auth/api-keys";

export const dynamic = "force-dynamic";

/** Which company an API key acts for: the first call an integrator makes to check their key. */
export const GET = route(async (request) => {
  const db = await getDb();
  const caller = await authenticateApiKey(db, request.headers.get("authorization"));
  const company = await db.company.findUniqueOrThrow({ where: { id: caller.companyId }, select: { id: true, name: true, slug: true } });
  return NextResponse.json({ company, role: caller.role });
});
