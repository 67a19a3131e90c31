import { getDb } from "@/lib/db";
import { fileResponse } from "@/lib/documents/http";
import { signingDocument } from "@/lib/documents/signing";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The document a signer reads: the signing link is the authorization, checked on every request. */
export const GET = route(async (_request, context: { params: Promise<{ token: string }> }) => {
  const { token } = await context.params;
  return fileResponse(await signingDocument(await getDb(), decodeURIComponent(token)), true);
});
