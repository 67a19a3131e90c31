import { catalog } from "@/lib/catalog";
import { getDb } from "@/lib/db";
import { route } from "@/lib/http/route";
import { completeOAuth } from "@/lib/integrations/connections";
import { backToSettings, requireSessionCaller } from "@/lib/integrations/http";

export const dynamic = "force-dynamic";

/** Where the provider sends the browser back: checks the state, stores the tokens sealed, returns to the settings page. */
export const GET = route(async (request: Request, { params }: { params: Promise<{ provider: string }> }) => {
  const caller = await requireSessionCaller(request);
  const { provider } = await params;
  try {
    const connection = await completeOAuth(await getDb(), caller, { provider, query: Object.fromEntries(new URL(request.url).searchParams) }, catalog);
    return backToSettings({ connected: provider, ...(connection.accountChoices > 1 ? { choose: connection.id } : {}) });
  } catch (error) {
    return backToSettings({ error });
  }
});
