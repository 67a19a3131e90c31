import type { WebClient } from "@slack/web-api";
import type { Integration } from "@/lib/integrations/types";
import { channelOptions } from "./channels";
import { createSlackClient, mapSlackError, slackAccount, slackOAuth } from "./client";
import { slackEnv, type SlackEnv } from "./env";
import { notifyStatus } from "./notify-status";
import { replyInThread } from "./reply-in-thread";
import { sendMessage } from "./send-message";
import { uploadFile } from "./upload-file";

// Slack: OAuth v2 install with bot scopes, or a pasted bot token; four message/file actions.

export const slack: Integration<WebClient> = {
  id: "slack",
  name: "Slack",
  description: "Post messages, reply in threads and share files in your Slack workspace.",
  categories: ["communication"],
  env: slackEnv,
  auth: {
    oauth2: slackOAuth,
    token: {
      kind: "token",
      label: "Bot token",
      placeholder: "xoxb-…",
      format: { pattern: /^xox[bpe]-[A-Za-z0-9-]{4,}$/, message: "A Slack bot token starts with xoxb- (OAuth & Permissions > Bot User OAuth Token)" },
      help: "From your Slack app's OAuth & Permissions page (Bot User OAuth Token). It needs the scopes chat:write, channels:read, groups:read, files:write and users:read.",
      toSecret: (token) => ({ accessToken: token.trim(), tokenType: "bot" }),
    },
  },
  createClient: (secret, { env, timeoutMs }: { env: SlackEnv; timeoutMs: number }) => createSlackClient(secret.accessToken, { env, timeoutMs }),
  testConnection: slackAccount,
  async revoke(client) {
    await client.auth.revoke();
  },
  mapError: mapSlackError,
  actions: [sendMessage, replyInThread, uploadFile, notifyStatus],
  options: [channelOptions],
  triggers: [],
};
