import type { Db } from "@/lib/db";
import { getEnv } from "@/lib/config/env";
import { saveConnection } from "@/lib/credentials/store";
import { resend } from "@/lib/integrations/resend";
import type { ProviderContract } from "../contract";
import { startFakeResend, type FakeResend } from "./server";

/** A connection for a pasted Resend API key, checked with the fake as Settings checks it. */
export async function connectResend(db: Db, fake: FakeResend, owner: { companyId: string } | { userId: string }, key = fake.issueKey()) {
  const secret = resend.auth.token!.toSecret(key);
  const account = await resend.testConnection(resend.createClient(secret, { env: getEnv(), timeoutMs: 10_000 }));
  return saveConnection(db, {
    owner: owner as never,
    app: { id: resend.id, name: resend.name },
    type: "apikey",
    secret,
    displayName: account.displayName,
    accountId: account.accountId,
    tokenExpiresAt: null,
    createdById: null,
  });
}

// What the provider contract suite needs to know about Resend and its fake (API keys: no refresh).
export const contract: ProviderContract = {
  async start() {
    const fake = await startFakeResend();
    return {
      url: fake.url,
      env: { RESEND_BASE_URL: fake.apiUrl, EMAIL_FROM: "Flowline <flow@flowline.test>" },
      close: fake.close,
      connect: async (db: Db, companyId: string) => (await connectResend(db, fake, { companyId })).id,
    };
  },
  sample: { nodeType: "resend.send_email", input: { to: "someone@example.it", subject: "Contract check", text: "Hello" }, method: "emails.send" },
};
