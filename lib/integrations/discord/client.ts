import { DiscordAPIError, HTTPError, RateLimitError, REST } from "@discordjs/rest";
import { PermissionFlagsBits, RESTJSONErrorCodes, Routes, type APIGuild, type APIPartialGuild, type APIUser } from "discord-api-types/v10";
import { z } from "zod";
import { WorkflowError } from "@/lib/workflow/errors";
import type { AccountChoice, AccountInfo, CredentialSecret, OAuth2Spec, TokenGrant } from "@/lib/integrations/types";
import type { DiscordEnv } from "./env";

// The real Discord client (@discordjs/rest) bound to one server (guild), and the mapping of its
// errors to the taxonomy. Waiting and retrying are the engine's job (durable), so the client never
// sleeps: a 429, or a bucket its X-RateLimit-* headers say is empty, comes back at once as
// E_RATE_LIMITED with the wait Discord asked for; 5xx and timeouts are not retried here.
//
// Two ways in, one shape of key material:
// - a pasted bot token (Developer Portal > Bot): the token is the key; the server is chosen after.
// - OAuth 2 "add to server" (scope bot): Discord's consent page asks which server; the answer's
//   `guild` is the connection's. The bot then acts with this server's own DISCORD_BOT_TOKEN
//   (the OAuth access token of a bot install cannot call the bot API), so nothing of it is stored.

export type DiscordSecret = CredentialSecret & { guildId?: string; install?: "oauth" };

/**
 * shared: the app's own bot (OAuth installs), which other companies may have added to their
 * servers too, so this connection may see and touch its own server only.
 */
export type DiscordClient = { rest: REST; guildId: string | null; shared: boolean };

/** What the bot needs where it posts: see, send, embed, attach, read history (reconcile), threads. */
export const BOT_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.SendMessagesInThreads;

const apiBase = (env: Pick<DiscordEnv, "DISCORD_API_URL">) => env.DISCORD_API_URL.replace(/\/+$/, "");

export function createDiscordClient(secret: DiscordSecret, options: { env: DiscordEnv; timeoutMs: number }): DiscordClient {
  const token = secret.install === "oauth" ? options.env.DISCORD_BOT_TOKEN : secret.accessToken;
  if (!token) {
    throw new WorkflowError("E_CREDENTIAL_MISSING", {
      message: "This Discord server was connected with OAuth, but DISCORD_BOT_TOKEN is not set on this Flowline server",
      remediation: "Set DISCORD_BOT_TOKEN to the bot token of the Discord app (Developer Portal > Bot), or connect the server with a pasted bot token",
    });
  }
  const rest = new REST({
    api: apiBase(options.env),
    version: "10",
    authPrefix: "Bot",
    timeout: options.timeoutMs,
    retries: 0,
    // Every rate limit, hit or foreseen from the headers, is thrown instead of slept through.
    rejectOnRateLimit: () => true,
    offset: 0,
    // A client lives for one call: no background sweeps.
    hashSweepInterval: 0,
    handlerSweepInterval: 0,
  }).setToken(token);
  return { rest, guildId: secret.guildId ?? null, shared: secret.install === "oauth" };
}

/** The server a client is bound to; a connection always has one once saved. */
export function guildOf(client: DiscordClient): string {
  if (!client.guildId) {
    throw new WorkflowError("E_CREDENTIAL_INVALID", {
      message: "This Discord connection is not bound to a server",
      remediation: "Reconnect Discord in Settings > Integrations and choose the server",
    });
  }
  return client.guildId;
}

/** /oauth2/token for a bot install: the server chosen on the consent page comes back as `guild`. */
const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  scope: z.string().optional(),
  guild: z.object({ id: z.string().min(1), name: z.string().optional() }, { message: "the answer names no server (guild): was the bot scope granted?" }),
});

function grantFromInstall(response: z.output<typeof tokenResponse>): TokenGrant {
  return {
    secret: { accessToken: response.access_token, tokenType: "bearer", install: "oauth", guildId: response.guild.id } satisfies DiscordSecret,
    account: {
      displayName: response.guild.name ?? response.guild.id,
      accountId: response.guild.id,
      scopes: response.scope?.split(" ").filter(Boolean) ?? ["bot"],
    },
    // The bot stays in the server until someone removes it; the install does not expire.
    expiresAt: null,
  };
}

/** "Add to server": the bot scope with the permissions it needs, asked for on Discord's consent page. */
export const discordOAuth: OAuth2Spec<DiscordEnv, z.output<typeof tokenResponse>> = {
  kind: "oauth2",
  clientIdVar: "DISCORD_CLIENT_ID",
  clientSecretVar: "DISCORD_CLIENT_SECRET",
  authorizeUrl: (env) => `${apiBase(env)}${Routes.oauth2Authorization()}?permissions=${BOT_PERMISSIONS.toString()}`,
  tokenUrl: (env) => `${apiBase(env)}${Routes.oauth2TokenExchange()}`,
  scopes: ["bot"],
  scopeSeparator: " ",
  // Not claimed: not confirmed offline for bot installs.
  pkce: false,
  clientAuthentication: "client_secret_post",
  tokenResponse,
  toGrant: grantFromInstall,
  // Nothing to renew: calls use the bot token.
  refresh: false,
};

/** Whose bot this is and, once bound, which server: Settings' "Test" and the check of a pasted token. */
export async function discordAccount(client: DiscordClient): Promise<AccountInfo> {
  const bot = (await client.rest.get(Routes.user())) as APIUser;
  const details = { bot: `@${bot.username}` };
  if (!client.guildId) return { displayName: `@${bot.username}`, accountId: `bot:${bot.id}`, details };
  try {
    const guild = (await client.rest.get(Routes.guild(client.guildId))) as APIGuild;
    return { displayName: guild.name, accountId: guild.id, details };
  } catch (error) {
    if (error instanceof DiscordAPIError && (error.code === RESTJSONErrorCodes.MissingAccess || error.code === RESTJSONErrorCodes.UnknownGuild)) {
      throw new WorkflowError("E_CREDENTIAL_INVALID", {
        message: "The bot is no longer in this Discord server",
        remediation: "Add the bot to the server again: Connect Discord in Settings > Integrations",
        cause: error,
      });
    }
    throw error;
  }
}

/** The servers a connection may act in: a pasted bot's every server; the app's shared bot only the one it was added to. */
export async function serversOf(client: DiscordClient): Promise<APIPartialGuild[]> {
  const guilds = (await client.rest.get(Routes.userGuilds())) as APIPartialGuild[];
  return client.shared ? guilds.filter((g) => g.id === client.guildId) : guilds;
}

/** A connection acts in one server of the bot: the one chosen on the consent page, or one chosen after pasting a token. */
export const discordServerChoice: AccountChoice<DiscordClient> = {
  noun: "server",
  list: async (client) => (await serversOf(client)).map((g) => ({ displayName: g.name, accountId: g.id })),
  bind: (secret, account) => ({ ...secret, guildId: account.accountId }),
};

/** Where a failed call was aimed, for the remediation ("Invite the bot to #…"). */
function channelLabel(input: unknown): string {
  const fields = input as { channel?: unknown; thread?: unknown } | undefined;
  const channel = typeof fields?.thread === "string" && fields.thread ? fields.thread : fields?.channel;
  return typeof channel === "string" && channel ? `#${channel}` : "the channel";
}

const inputErrors = new Set<number>([
  RESTJSONErrorCodes.CannotSendAnEmptyMessage,
  RESTJSONErrorCodes.InvalidFormBodyOrContentType,
  RESTJSONErrorCodes.RequestEntityTooLarge,
  RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage,
  RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType,
]);

const oauthCredentialErrors = new Set(["invalid_grant", "invalid_client", "unauthorized_client", "access_denied"]);

const isTimeout = (error: unknown) => {
  const name = (error as Error | undefined)?.name;
  return name === "AbortError" || name === "TimeoutError";
};

/** Maps whatever @discordjs/rest threw to the taxonomy (see lib/integrations/README.md). */
export function mapDiscordError(error: unknown, context: { action?: string; input?: unknown } = {}): WorkflowError {
  if (error instanceof WorkflowError) return error;
  if (error instanceof RateLimitError) {
    // A 429's Retry-After, or the bucket's X-RateLimit-Reset-After when the client stopped before sending.
    const waitMs = error.retryAfter > 0 ? error.retryAfter : error.timeToReset > 0 ? error.timeToReset : 30_000;
    return new WorkflowError("E_RATE_LIMITED", {
      message: `Discord is limiting requests${error.global ? " (global limit)" : ""}; it asked to wait ${Math.ceil(waitMs / 1000)} s`,
      retryAfterMs: waitMs,
      details: { route: error.route, scope: error.scope },
      cause: error,
    });
  }
  if (error instanceof DiscordAPIError) {
    const details = { discordCode: error.code, status: error.status };
    if (typeof error.code === "string") {
      if (oauthCredentialErrors.has(error.code))
        return new WorkflowError("E_CREDENTIAL_INVALID", {
          message: `Discord refused the authorization (${error.code})`,
          remediation: "Reconnect Discord in Settings > Integrations",
          details,
          cause: error,
        });
      return new WorkflowError("E_PROVIDER", { message: `Discord answered an error (${error.code})`, details, cause: error });
    }
    if (error.status === 401)
      return new WorkflowError("E_CREDENTIAL_INVALID", {
        message: "Discord rejected the bot token (HTTP 401)",
        remediation: "Reconnect Discord in Settings > Integrations",
        details,
        cause: error,
      });
    const channel = channelLabel(context.input);
    if (error.code === RESTJSONErrorCodes.MissingAccess || error.code === RESTJSONErrorCodes.UnknownChannel)
      return new WorkflowError("E_NOT_FOUND", {
        message: `The Flowline bot cannot reach Discord channel ${channel} (${error.code === RESTJSONErrorCodes.MissingAccess ? "Missing Access" : "Unknown Channel"})`,
        remediation: `Invite the bot to ${channel} (or give its role View Channel there), or choose another channel`,
        details,
        cause: error,
      });
    if (error.code === RESTJSONErrorCodes.MissingPermissions)
      return new WorkflowError("E_CREDENTIAL_SCOPE", {
        message: `The Flowline bot lacks a permission in Discord channel ${channel} (Missing Permissions)`,
        remediation: `Give the bot's role Send Messages, Embed Links, Attach Files and Create Public Threads in ${channel}`,
        details,
        cause: error,
      });
    if (error.code === RESTJSONErrorCodes.UnknownMessage)
      return new WorkflowError("E_NOT_FOUND", {
        message: "The Discord message was not found (deleted, or in another channel)",
        remediation: "Check the message id the step uses, e.g. {{step.<id>.output.messageId}}",
        details,
        cause: error,
      });
    if (inputErrors.has(error.code) || error.status === 400 || error.status === 413)
      return new WorkflowError("E_VALIDATION", {
        message: `Discord refused the input: ${error.message}`,
        remediation: "Check the step's fields (content, embeds, file, thread) and try again",
        details,
        cause: error,
      });
    if (error.status === 403) return new WorkflowError("E_CREDENTIAL_SCOPE", { message: `Discord refused the call: ${error.message}`, details, cause: error });
    if (error.status === 404) return new WorkflowError("E_NOT_FOUND", { message: `Discord did not find it: ${error.message}`, details, cause: error });
    return new WorkflowError("E_PROVIDER", { message: `Discord answered an error: ${error.message}`, details, cause: error });
  }
  if (error instanceof HTTPError)
    return new WorkflowError("E_PROVIDER", { message: `Discord answered HTTP ${error.status}`, details: { status: error.status }, cause: error });
  if (isTimeout(error)) return new WorkflowError("E_TIMEOUT", { message: "Discord did not answer in time", cause: error });
  if (error instanceof SyntaxError)
    return new WorkflowError("E_PROVIDER", { message: "Discord answered something that is not JSON", remediation: "Retry later", cause: error });
  return new WorkflowError("E_PROVIDER", {
    message: `Discord could not be reached${context.action ? ` in ${context.action}` : ""}`,
    remediation: "Retry later; check the server's network and Discord's status page",
    cause: error,
  });
}
