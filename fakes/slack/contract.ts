import type { Db } from "@/lib/db";
import { saveGrant } from "@/lib/integrations/connections";
import { exchangeCode } from "@/lib/integrations/oauth2";
import { slack } from "@/lib/integrations/slack";
import type { ProviderContract } from "../contract";
import { startFakeSlack } from "./server";

// What the provider contract suite (tests/integrations/provider-contract.test.ts) needs to know
// about Slack and its fake: how to start it, how to connect with refreshable tokens, and one
// effectful call to aim faults at.
export const contract: ProviderContract = {
  async start() {
    const fake = await startFakeSlack({ rotation: true });
    return {
      url: fake.url,
      env: { SLACK_API_URL: fake.apiUrl, SLACK_CLIENT_ID: fake.clientId, SLACK_CLIENT_SECRET: fake.clientSecret },
      close: fake.close,
      async connect(db: Db, companyId: string) {
        // an install through the fake's consent page, as a browser would do it
        const approve = new URL(`${fake.url}/oauth/v2/approve`);
        approve.search = new URLSearchParams({
          client_id: fake.clientId,
          redirect_uri: "http://flowline.test/cb",
          state: "s",
          scope: "chat:write",
          decision: "allow",
        }).toString();
        const code = new URL((await fetch(approve, { redirect: "manual" })).headers.get("location")!).searchParams.get("code")!;
        const grant = await exchangeCode(slack, { code, redirectUri: "http://flowline.test/cb" });
        return (await saveGrant(db, slack, { companyId }, grant, null)).id;
      },
    };
  },
  sample: { nodeType: "slack.send_message", input: { channel: "#general", text: "Contract check" }, method: "chat.postMessage" },
  tokenMethod: "oauth.v2.access",
};
