import type { Db } from "@/lib/db";
import { getEnv } from "@/lib/config/env";
import { saveGrant } from "@/lib/integrations/connections";
import { discord } from "@/lib/integrations/discord";
import { exchangeCode } from "@/lib/integrations/oauth2";
import type { ProviderContract } from "../contract";
import { startFakeDiscord, type FakeDiscord } from "./server";

/** The env that points the app at the fake: its API, the OAuth app and the app's bot token. */
export const discordEnvFor = (fake: FakeDiscord) => ({
  DISCORD_API_URL: fake.apiUrl,
  DISCORD_CLIENT_ID: fake.clientId,
  DISCORD_CLIENT_SECRET: fake.clientSecret,
  DISCORD_BOT_TOKEN: fake.botToken,
});

/** "Add to server" through the fake's consent page, choosing a server, as Settings does it (the server chosen comes first). */
export async function connectThroughConsent(
  db: Db,
  fake: FakeDiscord,
  owner: { companyId: string } | { userId: string },
  guildId = fake.guilds[0]!.id,
  createdById: string | null = null,
) {
  const approve = new URL(`${fake.apiUrl}/oauth2/approve`);
  approve.search = new URLSearchParams({
    client_id: fake.clientId,
    redirect_uri: "http://flowline.test/cb",
    state: "s",
    scope: "bot",
    guild_id: guildId,
    decision: "allow",
  }).toString();
  const code = new URL((await fetch(approve, { redirect: "manual" })).headers.get("location")!).searchParams.get("code")!;
  const grant = await exchangeCode(discord, { code, redirectUri: "http://flowline.test/cb" });
  const choice = discord.accountChoice!;
  const [first] = await choice.list(discord.createClient(grant.secret, { env: getEnv(), timeoutMs: 10_000 }));
  return saveGrant(db, discord, owner as never, { ...grant, secret: choice.bind(grant.secret, first!), account: first! }, createdById);
}

// What the provider contract suite needs to know about Discord and its fake (the bot token does not refresh).
export const contract: ProviderContract = {
  async start() {
    const fake = await startFakeDiscord();
    return {
      url: fake.url,
      env: discordEnvFor(fake),
      close: fake.close,
      connect: async (db: Db, companyId: string) => (await connectThroughConsent(db, fake, { companyId })).id,
    };
  },
  sample: {
    nodeType: "discord.send_message",
    input: { channel: "1100000000000000101", content: "Contract check" },
    method: "createMessage",
  },
};
