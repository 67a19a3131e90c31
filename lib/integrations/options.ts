import type { Caller } from "@/lib/auth/roles";
import { optionsQuerySchema, type OptionsPage } from "@/lib/catalog/description";
import { resolveCredential } from "@/lib/credentials/resolve";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { callProvider } from "@/lib/integrations/execute";
import { toAppFacingError } from "@/lib/integrations/connections";
import type { ProviderLookup } from "@/lib/integrations/types";

// The one way the editor fills a picker: "<provider>.<loader>" runs on the server with the
// connection the step would use (the one it pins, else its workflow's own, else the caller's
// resolution order), one page at a time. Tenancy is the resolution's: only the caller's company's
// and their own connections, and only a workflow of the caller's company.

export async function loadOptions(db: Db, caller: Caller, raw: unknown, catalog: ProviderLookup): Promise<OptionsPage> {
  const query = optionsQuerySchema.parse(raw);
  const [providerId, loaderId] = query.loader.split(".") as [string, string];
  const provider = catalog.provider(providerId);
  const loader = provider?.options?.find((candidate) => candidate.id === loaderId);
  if (!provider || !loader) {
    throw new AppError("not_found", `There is no options list "${query.loader}"`, {
      remediation: "Use a loader named in the catalog (GET /api/v1/catalog, providers[].optionLoaders)",
    });
  }
  try {
    const app = { id: provider.id, name: provider.name };
    const { credential } = await resolveCredential(db, {
      companyId: caller.companyId,
      userId: caller.userId,
      app,
      connectionId: query.connectionId ?? null,
      workflowId: query.workflowId ?? null,
    });
    const search = query.search?.trim() ? { search: query.search.trim() } : {};
    const page = await callProvider(
      db,
      provider,
      credential,
      { action: `list ${loader.label}` },
      (client) => loader.load(client, { ...search, ...(query.cursor ? { cursor: query.cursor } : {}) }),
      { timeoutMs: 10_000 },
    );
    return { connectionId: credential.id, ...page };
  } catch (error) {
    throw toAppFacingError(error);
  }
}
