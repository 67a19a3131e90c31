import type { Db } from "@/lib/db";
import { saveGrant } from "@/lib/integrations/connections";
import { fattureInCloud } from "@/lib/integrations/fattureincloud";
import { exchangeCode } from "@/lib/integrations/oauth2";
import { getEnv } from "@/lib/config/env";
import type { ProviderContract } from "../contract";
import { startFakeFattureInCloud, type FakeFattureInCloud } from "./server";

/** An OAuth connection through the fake's consent page, bound to the fake's first company, as Settings makes it. */
export async function connectThroughConsent(
  db: Db,
  fake: FakeFattureInCloud,
  owner: { companyId: string } | { userId: string },
  createdById: string | null = null,
) {
  const approve = new URL(`${fake.url}/oauth/approve`);
  approve.search = new URLSearchParams({
    client_id: fake.clientId,
    redirect_uri: "http://flowline.test/cb",
    state: "s",
    scope: "issued_documents.invoices:a",
    decision: "allow",
  }).toString();
  const code = new URL((await fetch(approve, { redirect: "manual" })).headers.get("location")!).searchParams.get("code")!;
  const grant = await exchangeCode(fattureInCloud, { code, redirectUri: "http://flowline.test/cb" });
  const choice = fattureInCloud.accountChoice!;
  const [first] = await choice.list(fattureInCloud.createClient(grant.secret, { env: getEnv(), timeoutMs: 10_000 }));
  return saveGrant(db, fattureInCloud, owner as never, { ...grant, secret: choice.bind(grant.secret, first!), account: first! }, createdById);
}

// What the provider contract suite needs to know about Fatture in Cloud and its fake.
export const contract: ProviderContract = {
  async start() {
    const fake = await startFakeFattureInCloud();
    return {
      url: fake.url,
      env: { FATTUREINCLOUD_API_URL: fake.apiUrl, FATTUREINCLOUD_CLIENT_ID: fake.clientId, FATTUREINCLOUD_CLIENT_SECRET: fake.clientSecret },
      close: fake.close,
      connect: async (db: Db, companyId: string) => (await connectThroughConsent(db, fake, { companyId })).id,
    };
  },
  sample: {
    nodeType: "fattureincloud.create_invoice",
    input: { clientId: 54321, items: [{ name: "Contract check", qty: 1, price: 100, vatId: 0 }] },
    method: "createIssuedDocument",
  },
  tokenMethod: "oauth.token",
};
