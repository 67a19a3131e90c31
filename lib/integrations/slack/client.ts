import { ErrorCode, LogLevel, WebClient, type WebAPICallError } from "@slack/web-api";
import { z } from "zod";
import { WorkflowError } from "@/lib/workflow/errors";
import type { AccountInfo, CredentialSecret, OAuth2Spec, TokenGrant } from "@/lib/integrations/types";
import type { SlackEnv } from "./env";
import { channelLabel } from "./shared";

// The real Slack client (@slack/web-api) and the mapping of its errors to the taxonomy.
// Retries are the engine's job (durable backoff), so the client itself never retries or waits:
// a 429 comes back at once as E_RATE_LIMITED with the provider's Retry-After.

export const SLACK_BOT_SCOPES = ["chat:write", "channels:read", "groups:read", "files:write", "users:read"] as const;

export function createSlackClient(token: string | undefined, options: { env: Pick<SlackEnv, "SLACK_API_URL">; timeoutMs?: number }): WebClient {
  return new WebClient(token, {
    slackApiUrl: options.env.SLACK_API_URL,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 15_000,
    logLevel: LogLevel.ERROR,
    // Only Slack's own relative methods: never a caller-supplied absolute URL with our token.
    allowAbsoluteUrls: false,
  });
}

const apiBase = (env: Pick<SlackEnv, "SLACK_API_URL">) => (env.SLACK_API_URL.endsWith("/") ? env.SLACK_API_URL : `${env.SLACK_API_URL}/`);

/** oauth.v2.access, as Slack answers it for a bot install (and for the refresh of a rotating token). */
const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  refresh_token: z.string().optional(),
  expires_in: z.number().optional(),
  scope: z.string().optional(),
  bot_user_id: z.string().optional(),
  team: z.object({ id: z.string().min(1), name: z.string().optional() }),
});

function grantFromTokenResponse(response: z.output<typeof tokenResponse>, previous?: CredentialSecret): TokenGrant {
  const scopes = response.scope?.split(",").filter(Boolean) ?? [];
  const secret: CredentialSecret = {
    accessToken: response.access_token,
    tokenType: response.token_type ?? "bot",
    ...(response.refresh_token ? { refreshToken: response.refresh_token } : previous?.refreshToken ? { refreshToken: previous.refreshToken } : {}),
    ...(response.bot_user_id ? { botUserId: response.bot_user_id } : {}),
  };
  return {
    secret,
    account: { displayName: response.team.name ?? response.team.id, accountId: response.team.id, scopes },
    expiresAt: response.expires_in ? new Date(Date.now() + response.expires_in * 1000) : null,
  };
}

/** Slack's OAuth v2 install: its pages live next to its API (https://slack.com/api/ → https://slack.com/oauth/v2/authorize). */
export const slackOAuth: OAuth2Spec<SlackEnv, z.output<typeof tokenResponse>> = {
  kind: "oauth2",
  clientIdVar: "SLACK_CLIENT_ID",
  clientSecretVar: "SLACK_CLIENT_SECRET",
  authorizeUrl: (env) => new URL("../oauth/v2/authorize", apiBase(env)).toString(),
  tokenUrl: (env) => new URL("oauth.v2.access", apiBase(env)).toString(),
  scopes: SLACK_BOT_SCOPES,
  scopeSeparator: ",",
  // Not claimed: we could not confirm Slack's PKCE support offline, so the classic code flow with a client secret is used.
  pkce: false,
  clientAuthentication: "client_secret_post",
  tokenTypes: ["bot"],
  tokenResponse,
  toGrant: grantFromTokenResponse,
  refresh: true,
};

export async function slackAccount(client: WebClient): Promise<AccountInfo> {
  const result = await client.auth.test();
  const scopes = (result.response_metadata as { scopes?: string[] } | undefined)?.scopes;
  return {
    displayName: result.team ?? result.team_id ?? "Slack workspace",
    accountId: result.team_id ?? "unknown",
    ...(scopes ? { scopes } : {}),
    details: { ...(result.user ? { bot: `@${result.user}` } : {}), ...(result.url ? { url: result.url } : {}) },
  };
}

const credentialErrors = new Set([
  "invalid_auth",
  "token_revoked",
  "token_expired",
  "not_authed",
  "account_inactive",
  "no_permission",
  "ekm_access_denied",
  // what oauth.v2.access answers when a refresh cannot work any more
  "invalid_refresh_token",
  "invalid_grant_type",
  "invalid_client_id",
  "bad_client_secret",
  "invalid_code",
  "code_already_used",
]);
const inputErrors = new Set([
  "invalid_blocks",
  "invalid_blocks_format",
  "invalid_arguments",
  "msg_too_long",
  "no_text",
  "too_many_attachments",
  "invalid_thread_ts",
  "thread_not_found",
  "cant_update_message",
  "cant_delete_message",
  "cant_delete_file",
  "invalid_name",
]);

function retryAfterFrom(headers: Record<string, string> | undefined): number {
  const value = Number(headers?.["retry-after"] ?? "");
  return Number.isFinite(value) && value > 0 ? value * 1000 : 30_000;
}

/** Maps whatever @slack/web-api threw to the taxonomy (see docs in lib/integrations/README.md). */
export function mapSlackError(error: unknown, context: { action?: string; input?: unknown } = {}): WorkflowError {
  if (error instanceof WorkflowError) return error;
  const coded = error as Partial<WebAPICallError> & { code?: string };
  switch (coded.code) {
    case ErrorCode.RateLimitedError: {
      const seconds = (error as { retryAfter?: number }).retryAfter ?? 30;
      return new WorkflowError("E_RATE_LIMITED", {
        message: `Slack is limiting requests; it asked to wait ${seconds} s`,
        retryAfterMs: seconds * 1000,
        cause: error,
      });
    }
    case ErrorCode.PlatformError: {
      const data = (error as { data?: { error?: string; needed?: string } }).data ?? {};
      const code = data.error ?? "unknown_error";
      const details = { slackError: code };
      if (credentialErrors.has(code)) {
        return new WorkflowError("E_CREDENTIAL_INVALID", {
          message: `Slack rejected the connection (${code})`,
          remediation: "Reconnect Slack in Settings > Integrations",
          details,
          cause: error,
        });
      }
      if (code === "missing_scope") {
        return new WorkflowError("E_CREDENTIAL_SCOPE", {
          message: `The Slack connection lacks a permission${data.needed ? ` (${data.needed})` : ""}`,
          remediation: "Reconnect Slack and allow the permissions Flowline asks for",
          details,
          cause: error,
        });
      }
      if (code === "channel_not_found" || code === "not_in_channel" || code === "is_archived") {
        const channel = channelLabel(context.input);
        const why =
          code === "channel_not_found"
            ? "was not found (or is private and the app is not in it)"
            : code === "is_archived"
              ? "is archived"
              : "does not include the Flowline app";
        return new WorkflowError("E_NOT_FOUND", {
          message: `Slack channel ${channel} ${why} (${code})`,
          remediation: `Invite the Slack app to ${channel} (type /invite @Flowline in the channel), or choose another channel`,
          details,
          cause: error,
        });
      }
      if (code === "ratelimited")
        return new WorkflowError("E_RATE_LIMITED", { message: "Slack is limiting requests (ratelimited)", retryAfterMs: 30_000, details, cause: error });
      if (inputErrors.has(code))
        return new WorkflowError("E_VALIDATION", {
          message: `Slack refused the input (${code})`,
          remediation: "Check the step's fields (text, blocks, thread) and try again",
          details,
          cause: error,
        });
      return new WorkflowError("E_PROVIDER", { message: `Slack answered an error (${code})`, details, cause: error });
    }
    case ErrorCode.HTTPError: {
      const status = (error as { statusCode?: number }).statusCode ?? 0;
      const headers = (error as { headers?: Record<string, string> }).headers;
      if (status === 401 || status === 403)
        return new WorkflowError("E_CREDENTIAL_INVALID", {
          message: `Slack refused the connection (HTTP ${status})`,
          remediation: "Reconnect Slack in Settings > Integrations",
          cause: error,
        });
      if (status === 429)
        return new WorkflowError("E_RATE_LIMITED", { message: "Slack is limiting requests (HTTP 429)", retryAfterMs: retryAfterFrom(headers), cause: error });
      return new WorkflowError("E_PROVIDER", { message: `Slack answered HTTP ${status}`, details: { status }, cause: error });
    }
    case ErrorCode.RequestError: {
      const original = (error as { original?: Error }).original;
      if (original && (original.name === "TimeoutError" || original.name === "AbortError")) {
        return new WorkflowError("E_TIMEOUT", { message: "Slack did not answer in time", cause: error });
      }
      return new WorkflowError("E_PROVIDER", {
        message: "Slack could not be reached",
        remediation: "Retry later; check the server's network and Slack's status page",
        cause: error,
      });
    }
    default: {
      const name = (error as Error | undefined)?.name;
      if (name === "TimeoutError" || name === "AbortError") return new WorkflowError("E_TIMEOUT", { message: "Slack did not answer in time", cause: error });
      return new WorkflowError("E_PROVIDER", { message: `Slack call failed${context.action ? ` in ${context.action}` : ""}`, cause: error });
    }
  }
}
