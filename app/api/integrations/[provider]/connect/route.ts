import { NextResponse } from "next/server";
import { catalog } from "@/lib/catalog";
import { getDb } from "@/lib/db";
import { route } from "@/lib/http/route";
import { startOAuth } from "@/lib/integrations/connections";
import { backToSettings, requireSessionCaller } from "@/lib/integrations/http";

export const dynamic = "force-dynamic";

/** Starts connecting an app: ?owner=company (admins) or ?owner=user; redirects to the provider's consent page. */
export const GET = route(async (request: Request, { params }: { params: Promise<{ provider: string }> }) => {
  const caller = await requireSessionCaller(request);
  const { provider } = await params;
  const owner = new URL(request.url).searchParams.get("owner") === "user" ? "user" : "company";
  try {
    const { url } = await startOAuth(await getDb(), caller, { provider, owner }, catalog);
    return NextResponse.redirect(url, { status: 303 });
  } catch (error) {
    return backToSettings({ error });
  }
});
