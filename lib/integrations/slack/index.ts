import type { WebClient } from "@slack/web-api";
import type { Integration } from "@/lib/integrations/types";
import { createSlackClient, grantFromOAuthResponse, mapSlackError, SLACK_BOT_SCOPES, slackAccount, slackAuthorizeUrl } from "./client";
import { channelOptions } from "./channels";
import { notifyStatus } from "./notify-status";
import { replyInThread } from "./reply-in-thread";
import { sendMessage } from "./send-message";
import { uploadFile } from "./upload-file";

// Slack: OAuth v2 install with bot scopes, or a pasted bot token; four message/file actions.

export const slack: Integration<WebClient> = {
  id: "slack",
  name: "Slack",
  icon: "slack",
  description: "Post messages, reply in threads and share files in your Slack workspace.",
  categories: ["communication"],
  auth: {
    oauth2: {
      kind: "oauth2",
      scopes: SLACK_BOT_SCOPES,
      // Not claimed: we could not confirm Slack's PKCE support offline, so the classic code flow with a client secret is used.
      pkce: false,
      configured: (env) => Boolean(env.SLACK_CLIENT_ID && env.SLACK_CLIENT_SECRET),
      authorizeUrl({ env, state, redirectUri }) {
        const url = slackAuthorizeUrl(env);
        url.search = new URLSearchParams({ client_id: env.SLACK_CLIENT_ID ?? "", scope: SLACK_BOT_SCOPES.join(","), redirect_uri: redirectUri, state }).toString();
        return url.toString();
      },
      async exchangeCode({ env, code, redirectUri }) {
        const client = createSlackClient(undefined, { env });
        const response = await client.oauth.v2.access({ client_id: env.SLACK_CLIENT_ID ?? "", client_secret: env.SLACK_CLIENT_SECRET ?? "", code, redirect_uri: redirectUri });
        return grantFromOAuthResponse(response);
      },
      async refresh({ env, secret }) {
        const client = createSlackClient(undefined, { env });
        const response = await client.oauth.v2.access({
          client_id: env.SLACK_CLIENT_ID ?? "",
          client_secret: env.SLACK_CLIENT_SECRET ?? "",
          grant_type: "refresh_token",
          refresh_token: secret.refreshToken ?? "",
        });
        return grantFromOAuthResponse(response, secret);
      },
    },
    token: {
      kind: "token",
      label: "Bot token",
      placeholder: "xoxb-…",
      help: "From your Slack app's OAuth & Permissions page (Bot User OAuth Token). It needs the scopes chat:write, channels:read, groups:read, files:write and users:read.",
      toSecret: (token) => ({ accessToken: token.trim(), tokenType: "bot" }),
    },
  },
  createClient: (secret, { env, timeoutMs }) => createSlackClient(secret.accessToken, { env, timeoutMs }),
  testConnection: slackAccount,
  async revoke(client) {
    await client.auth.revoke();
  },
  mapError: mapSlackError,
  actions: [sendMessage, replyInThread, uploadFile, notifyStatus],
  options: [channelOptions],
  triggers: [],
};
