import type { Integration } from "@/lib/integrations/types";
import { createDiscordClient, discordAccount, discordOAuth, discordServerChoice, mapDiscordError, type DiscordClient, type DiscordSecret } from "./client";
import { discordEnv, type DiscordEnv } from "./env";
import { notifyStatus } from "./notify-status";
import { discordOptions } from "./pickers";
import { replyInThread } from "./reply-in-thread";
import { sendMessage } from "./send-message";
import { uploadFile } from "./upload-file";

// Discord: the bot added to a server with OAuth ("add to server", the server chosen on Discord's
// consent page) or a pasted bot token (the server chosen after); messages, threads, files and
// run status embeds, each undone by deleting its message.

export const discord: Integration<DiscordClient> = {
  id: "discord",
  name: "Discord",
  description: "Post messages and embeds, reply in threads and share files in your Discord server.",
  categories: ["communication"],
  env: discordEnv,
  auth: {
    oauth2: discordOAuth,
    token: {
      kind: "token",
      label: "Bot token",
      placeholder: "MTE…",
      format: {
        pattern: /^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$/,
        message: "A Discord bot token has three parts separated by dots (Developer Portal > your app > Bot > Reset Token)",
      },
      help: "From the Discord Developer Portal: your app > Bot > Reset Token. Add the bot to your server first, with the permissions View Channels, Send Messages, Embed Links, Attach Files, Read Message History, Create Public Threads and Send Messages in Threads.",
      toSecret: (token) => ({ accessToken: token.trim(), tokenType: "bot" }),
    },
  },
  createClient: (secret, { env, timeoutMs }: { env: DiscordEnv; timeoutMs: number }) => createDiscordClient(secret as DiscordSecret, { env, timeoutMs }),
  testConnection: discordAccount,
  accountChoice: discordServerChoice,
  mapError: mapDiscordError,
  actions: [sendMessage, replyInThread, uploadFile, notifyStatus],
  options: discordOptions,
  // Steps that name no channel post in the workflow's default channel, else the connection's.
  defaults: { channel: { loader: "channels" } },
  triggers: [],
};
