import * as oauth from "oauth4webapi";
import { getEnv } from "@/lib/config/env";
import { WorkflowError } from "@/lib/workflow/errors";
import type { AnyIntegration, CredentialSecret, OAuth2Spec, TokenGrant } from "@/lib/integrations/types";
import { withArticle } from "@/lib/utils/text";

// The one OAuth 2 client every provider goes through: it executes the provider's declared spec
// (URLs, scopes, client authentication, PKCE, token-response schema) with oauth4webapi, which
// builds the token requests and checks the answers as RFC 6749 says. State, PKCE verifiers and
// the refresh lock stay in lib/credentials (oauth.ts, refresh.ts).

const TOKEN_TIMEOUT_MS = 15_000;

/** Answers that mean the grant or the client is no good: reconnecting is the way out. */
const credentialErrors = new Set([
  "invalid_grant",
  "invalid_client",
  "unauthorized_client",
  "invalid_scope",
  // Slack's names for the same
  "invalid_refresh_token",
  "invalid_grant_type",
  "invalid_client_id",
  "bad_client_secret",
  "invalid_code",
  "code_already_used",
  "bad_redirect_uri",
]);

type ProviderEnv = Record<string, unknown>;
const envOf = (): ProviderEnv => getEnv() as unknown as ProviderEnv;

function specOf(provider: AnyIntegration): OAuth2Spec {
  const spec = provider.auth.oauth2;
  if (!spec) throw new WorkflowError("E_VALIDATION", { message: `${provider.name} cannot be connected with OAuth`, remediation: "Paste a token instead" });
  return spec;
}

function clientCredentials(spec: OAuth2Spec, env: ProviderEnv) {
  const id = env[spec.clientIdVar];
  const secret = env[spec.clientSecretVar];
  return typeof id === "string" && id && typeof secret === "string" && secret ? { id, secret } : null;
}

/** Whether this server has the client id and secret the provider's OAuth needs. */
export function oauthConfigured(provider: AnyIntegration): boolean {
  const spec = provider.auth.oauth2;
  return Boolean(spec && clientCredentials(spec, envOf()));
}

const isLoopback = (url: URL) => url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";

function server(spec: OAuth2Spec, env: ProviderEnv) {
  const token = new URL(spec.tokenUrl(env));
  const as: oauth.AuthorizationServer = { issuer: token.origin, authorization_endpoint: spec.authorizeUrl(env), token_endpoint: token.toString() };
  // Plain HTTP only to a local stand-in (the fakes); a real provider is always HTTPS.
  return { as, insecure: token.protocol === "http:" && isLoopback(token) };
}

function client(provider: AnyIntegration, spec: OAuth2Spec, env: ProviderEnv) {
  const credentials = clientCredentials(spec, env);
  if (!credentials) {
    throw new WorkflowError("E_VALIDATION", {
      message: `Connecting ${provider.name} is not configured on this server`,
      remediation: `Set ${spec.clientIdVar} and ${spec.clientSecretVar}${provider.auth.token ? `, or paste ${withArticle(provider.auth.token.label.toLowerCase())} instead` : ""}`,
    });
  }
  const auth = spec.clientAuthentication === "client_secret_basic" ? oauth.ClientSecretBasic(credentials.secret) : oauth.ClientSecretPost(credentials.secret);
  return { client: { client_id: credentials.id } satisfies oauth.Client, auth };
}

/** The provider's consent page for this state (and PKCE challenge). */
export function authorizationUrl(provider: AnyIntegration, input: { state: string; redirectUri: string; codeChallenge?: string }): string {
  const spec = specOf(provider);
  const env = envOf();
  const { client: oauthClient } = client(provider, spec, env);
  const url = new URL(spec.authorizeUrl(env));
  url.searchParams.set("client_id", oauthClient.client_id);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", spec.scopes.join(spec.scopeSeparator));
  url.searchParams.set("redirect_uri", input.redirectUri);
  url.searchParams.set("state", input.state);
  if (input.codeChallenge) {
    url.searchParams.set("code_challenge", input.codeChallenge);
    url.searchParams.set("code_challenge_method", "S256");
  }
  return url.toString();
}

/** Providers that answer errors with HTTP 200 (Slack: {ok: false, error}) are caught before oauth4webapi reads the body. */
async function refuseErrorBody(provider: AnyIntegration, response: Response): Promise<void> {
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { error?: unknown; access_token?: unknown } | null;
  if (body && typeof body.error === "string" && typeof body.access_token !== "string") throw grantError(provider, body.error, response.status);
}

function grantError(provider: AnyIntegration, code: string, status: number): WorkflowError {
  if (credentialErrors.has(code)) {
    return new WorkflowError("E_CREDENTIAL_INVALID", {
      message: `${provider.name} refused the authorization (${code})`,
      remediation: `Reconnect ${provider.name} in Settings > Integrations`,
      details: { oauthError: code },
    });
  }
  if (status === 429) return new WorkflowError("E_RATE_LIMITED", { message: `${provider.name} is limiting token requests`, retryAfterMs: 30_000 });
  return new WorkflowError("E_PROVIDER", { message: `${provider.name}'s token endpoint answered an error (${code})`, details: { oauthError: code, status } });
}

function mapTokenFailure(provider: AnyIntegration, error: unknown): WorkflowError {
  if (error instanceof WorkflowError) return error;
  if (error instanceof oauth.ResponseBodyError) return grantError(provider, error.error, error.status);
  const name = (error as Error | undefined)?.name;
  if (name === "TimeoutError" || name === "AbortError")
    return new WorkflowError("E_TIMEOUT", { message: `${provider.name}'s token endpoint did not answer in time` });
  if (error instanceof oauth.OperationProcessingError)
    return new WorkflowError("E_PROVIDER", {
      message: `${provider.name}'s token answer was not understood (${error.message})`,
      remediation: "Try connecting again",
    });
  return new WorkflowError("E_PROVIDER", {
    message: `${provider.name}'s token endpoint could not be reached`,
    remediation: "Retry later; check the server's network",
  });
}

function toGrant(provider: AnyIntegration, spec: OAuth2Spec, body: unknown, previous?: CredentialSecret): TokenGrant {
  const parsed = spec.tokenResponse.safeParse(body);
  if (!parsed.success) {
    throw new WorkflowError("E_PROVIDER", {
      message: `${provider.name}'s token answer lacks what Flowline needs (${parsed.error.issues.map((i) => i.path.join(".") || i.message).join(", ")})`,
      remediation: "Try connecting again",
    });
  }
  return spec.toGrant(parsed.data, previous);
}

const recognized = (spec: OAuth2Spec) => Object.fromEntries((spec.tokenTypes ?? []).map((type) => [type, () => undefined]));

/** Exchanges the code the provider sent back (the state was checked by lib/credentials/oauth.ts). */
export async function exchangeCode(provider: AnyIntegration, input: { code: string; redirectUri: string; codeVerifier?: string | null }): Promise<TokenGrant> {
  const spec = specOf(provider);
  const env = envOf();
  const { as, insecure } = server(spec, env);
  const { client: oauthClient, auth } = client(provider, spec, env);
  try {
    const callback = oauth.validateAuthResponse(as, oauthClient, new URLSearchParams({ code: input.code }), oauth.skipStateCheck);
    const response = await oauth.authorizationCodeGrantRequest(as, oauthClient, auth, callback, input.redirectUri, input.codeVerifier ?? oauth.nopkce, {
      [oauth.allowInsecureRequests]: insecure,
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
    await refuseErrorBody(provider, response);
    const body = await oauth.processAuthorizationCodeResponse(as, oauthClient, response, { recognizedTokenTypes: recognized(spec) });
    return toGrant(provider, spec, body);
  } catch (error) {
    throw mapTokenFailure(provider, error);
  }
}

/** Whether a connection's tokens can be renewed. */
export const canRefresh = (provider: AnyIntegration, secret: CredentialSecret) => Boolean(provider.auth.oauth2?.refresh && secret.refreshToken);

/** Renews the access token with the refresh token (callers hold the refresh lock). */
export async function refreshGrant(provider: AnyIntegration, secret: CredentialSecret): Promise<TokenGrant> {
  const spec = specOf(provider);
  const env = envOf();
  const { as, insecure } = server(spec, env);
  const { client: oauthClient, auth } = client(provider, spec, env);
  try {
    const response = await oauth.refreshTokenGrantRequest(as, oauthClient, auth, secret.refreshToken ?? "", {
      [oauth.allowInsecureRequests]: insecure,
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
    await refuseErrorBody(provider, response);
    const body = await oauth.processRefreshTokenResponse(as, oauthClient, response, { recognizedTokenTypes: recognized(spec) });
    return toGrant(provider, spec, body, secret);
  } catch (error) {
    throw mapTokenFailure(provider, error);
  }
}
