import { z } from "zod";

// Discord's variables, merged into the one validated env (lib/config/env.ts).
export const discordEnv = z.object({
  DISCORD_CLIENT_ID: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Application id of your Discord app (Developer Portal > OAuth2); with DISCORD_CLIENT_SECRET and DISCORD_BOT_TOKEN it turns on "Connect Discord" (adding the bot to a server). A pasted bot token works without them.',
    ),
  DISCORD_CLIENT_SECRET: z.string().min(1).optional().describe("Client secret of your Discord app (Developer Portal > OAuth2)."),
  DISCORD_BOT_TOKEN: z
    .string()
    .min(1)
    .optional()
    .describe("Bot token of the same Discord app (Developer Portal > Bot): what servers connected with OAuth are called with."),
  DISCORD_API_URL: z
    .url({ message: "must be a URL such as https://discord.com/api" })
    .default("https://discord.com/api")
    .describe("Discord API address without the version (default https://discord.com/api); point it at the fake (fakes/discord) for offline use."),
});

export type DiscordEnv = z.output<typeof discordEnv>;
