import { z } from "zod";
import { audit, auditActor } from "@/lib/audit";
import type { Caller } from "@/lib/auth/roles";
import { getEnv } from "@/lib/config/env";
import { consumeOAuthState, createOAuthState } from "@/lib/credentials/oauth";
import {
  connectionIdSchema,
  deleteConnection,
  ensureConnectionOwner,
  findManageable,
  listConnections,
  markNeedsAttention,
  markValidated,
  openSecret,
  rebindConnection,
  saveConnection,
  summarize,
  type ConnectionOwner,
  type ConnectionSummary,
} from "@/lib/credentials/store";
import type { Db } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import type { Credential } from "@/lib/generated/prisma/client";
import { logger } from "@/lib/log";
import { WorkflowError } from "@/lib/workflow/errors";
import { providerIconPath } from "@/lib/integrations/icons";
import { defaultChannelLoader, listWorkflowOverrides, type WorkflowOverride } from "@/lib/integrations/scopes";
import { callProvider } from "@/lib/integrations/execute";
import { authorizationUrl, exchangeCode, oauthConfigured } from "@/lib/integrations/oauth2";
import type { AccountInfo, AnyIntegration, CredentialSecret, Integration, ProviderLookup, TokenGrant } from "@/lib/integrations/types";

// What Settings > Integrations and the OAuth routes do: connect (OAuth or pasted token), test,
// disconnect (revoking at the provider), plus the editor's Slack channel picker. Role checks live
// in lib/credentials/store (findManageable, ensureConnectionOwner). Key material is decrypted
// here only to call the provider; results carry masked summaries only.

export type AppStatus = "not_configured" | "not_connected" | "connected" | "needs_attention" | "paused";

export type IntegrationCard = {
  id: string;
  name: string;
  icon: string;
  description: string;
  status: AppStatus;
  /** variables: the env variables that turn OAuth on (client id, client secret), for the operator. */
  oauth: { configured: boolean; scopes: string[]; variables: [string, string] } | null;
  token: { label: string; placeholder: string; help: string } | null;
  /** What one account of a connection is called when it can be switched (Fatture in Cloud: "company"). */
  accountNoun: string | null;
  connections: CardConnection[];
  /** The picker of the channels a company connection's steps default to; null when its steps take none. */
  defaultChannelLoader: string | null;
  /** Workflows that set their own connection, channel or pause for this app (everything else inherits the company's). */
  overrides: (WorkflowOverride & { connectionName: string | null })[];
};

/** A connection as the settings page shows it: enough to tell two with the same name apart. */
export type CardConnection = ConnectionSummary & { connectedBy: string | null };

export function appStatus(integration: Integration<unknown>, connections: readonly ConnectionSummary[]): AppStatus {
  const statuses = new Set(connections.map((c) => c.status));
  if (statuses.has("connected")) return "connected";
  if (statuses.has("needs_attention")) return "needs_attention";
  if (statuses.has("paused")) return "paused";
  return oauthConfigured(integration) || !integration.auth.oauth2 ? "not_connected" : "not_configured";
}

export async function listIntegrationCards(db: Db, caller: Caller, catalog: ProviderLookup): Promise<IntegrationCard[]> {
  const summaries = await listConnections(db, caller);
  const creators = await db.credential.findMany({
    where: { id: { in: summaries.map((c) => c.id) } },
    select: { id: true, createdBy: { select: { name: true, email: true } } },
  });
  const byId = new Map(creators.map((row) => [row.id, row.createdBy ? (row.createdBy.name ?? row.createdBy.email) : null]));
  const all: CardConnection[] = summaries.map((c) => ({ ...c, connectedBy: byId.get(c.id) ?? null }));
  const overrides = await listWorkflowOverrides(db, caller);
  const nameOf = (id: string | null) => (id ? (all.find((c) => c.id === id)?.displayName ?? "a connection that no longer exists") : null);
  // Built-in apps (the Doc Manager) have nothing to connect.
  const connectable = catalog.providers.filter((integration) => !integration.auth.builtin);
  return connectable.map((integration) => {
    const connections = all.filter((c) => c.appId === integration.id);
    const { oauth2, token } = integration.auth;
    return {
      id: integration.id,
      name: integration.name,
      icon: providerIconPath(integration.id),
      description: integration.description,
      status: appStatus(integration, connections),
      oauth: oauth2 ? { configured: oauthConfigured(integration), scopes: [...oauth2.scopes], variables: [oauth2.clientIdVar, oauth2.clientSecretVar] } : null,
      token: token ? { label: token.label, placeholder: token.placeholder, help: token.help } : null,
      accountNoun: integration.accountChoice?.noun ?? null,
      connections,
      defaultChannelLoader: defaultChannelLoader(integration),
      overrides: overrides.filter((o) => o.appId === integration.id).map((o) => ({ ...o, connectionName: nameOf(o.connectionId) })),
    };
  });
}

function requireIntegration(catalog: ProviderLookup, id: string): Integration<unknown> {
  const integration = catalog.provider(id);
  if (!integration) throw notFound("Integration");
  return integration;
}

/** WorkflowErrors leave lib as AppErrors for pages and actions, keeping message and remediation. */
export function toAppFacingError(error: unknown): unknown {
  if (!(error instanceof WorkflowError)) return error;
  const code =
    error.code === "E_VALIDATION"
      ? "validation_failed"
      : error.code === "E_NOT_FOUND"
        ? "not_found"
        : error.code === "E_RATE_LIMITED"
          ? "rate_limited"
          : error.code.startsWith("E_CREDENTIAL") || error.code === "E_CONNECTION_PAUSED"
            ? "conflict"
            : "bad_request";
  return new AppError(code, error.message, {
    remediation: error.remediation,
    ...(error.retryAfterMs ? { retryAfterSeconds: Math.ceil(error.retryAfterMs / 1000) } : {}),
  });
}

async function checkWithProvider(db: Db, integration: Integration<unknown>, row: Credential): Promise<AccountInfo> {
  let secret: CredentialSecret;
  try {
    secret = openSecret<CredentialSecret>(row);
  } catch {
    throw new AppError("conflict", `The ${integration.name} connection's stored credentials cannot be decrypted on this server`, {
      remediation: `Reconnect ${integration.name}, or add the old key to ENCRYPTION_KEYS_PREVIOUS`,
    });
  }
  try {
    return await integration.testConnection(integration.createClient(secret, { env: getEnv(), timeoutMs: 10_000 }));
  } catch (error) {
    const mapped = integration.mapError(error, { action: "test" });
    if (mapped.code === "E_CREDENTIAL_INVALID") await markNeedsAttention(db, row.id);
    throw toAppFacingError(
      mapped.code === "E_CREDENTIAL_INVALID"
        ? new WorkflowError("E_CREDENTIAL_INVALID", {
            message: `${mapped.message}; the connection needs attention`,
            remediation: `Reconnect ${integration.name}`,
          })
        : mapped,
    );
  }
}

/**
 * Calls the provider with the connection (Slack: auth.test) and records the outcome. A paused
 * connection is checked too, but the answer says it is paused: steps using it fail until resumed.
 */
export async function testConnection(
  db: Db,
  caller: Caller,
  raw: unknown,
  catalog: ProviderLookup,
): Promise<{ connection: ConnectionSummary; account: AccountInfo; paused: boolean; message: string }> {
  const { id } = connectionIdSchema.parse(raw);
  const row = await findManageable(db, caller, id);
  const integration = requireIntegration(catalog, row.appId);
  const account = await checkWithProvider(db, integration, row);
  await markValidated(db, row.id);
  const paused = row.status === "paused";
  return {
    connection: summarize(await db.credential.findUniqueOrThrow({ where: { id } })),
    account: { displayName: account.displayName, accountId: account.accountId, ...(account.details ? { details: account.details } : {}) },
    paused,
    message: testMessage(paused),
  };
}

/** What "Test" says: a paused connection works at the provider but not in runs. */
export const testMessage = (paused: boolean) =>
  paused ? "The credentials work, but the connection is paused: steps using it fail with “connection paused” until you resume it" : "The connection works";

/** Revokes the token at the provider where it allows (best effort), then forgets the connection. */
export async function disconnect(db: Db, caller: Caller, raw: unknown, catalog: ProviderLookup): Promise<{ id: string; revoked: boolean }> {
  const { id } = connectionIdSchema.parse(raw);
  const row = await findManageable(db, caller, id);
  const integration = catalog.provider(row.appId);
  let revoked = false;
  if (integration?.revoke) {
    try {
      const secret = openSecret<CredentialSecret>(row);
      await integration.revoke(integration.createClient(secret, { env: getEnv(), timeoutMs: 10_000 }));
      revoked = true;
    } catch (error) {
      logger.warn(
        { connectionId: id, app: row.appId, code: integration.mapError(error, { action: "revoke" }).code },
        "could not revoke the token at the provider; forgetting it anyway",
      );
    }
  }
  await deleteConnection(db, id);
  await audit(db, auditActor(caller), "connection.disconnected", "connection", id, { app: row.appId, account: row.displayName, revoked });
  return { id, revoked };
}

/** A new connection, and how many accounts it could be bound to (more than one: Settings asks which). */
export type NewConnection = ConnectionSummary & { accountChoices: number };

/**
 * For providers with an account choice: binds fresh key material to the first account the
 * provider lists, and says how many there were so the page can ask which one.
 */
async function bindFirstAccount(
  integration: Integration<unknown>,
  secret: CredentialSecret,
  account: AccountInfo,
): Promise<{ secret: CredentialSecret; account: AccountInfo; choices: number }> {
  const choice = integration.accountChoice;
  if (!choice) return { secret, account, choices: 1 };
  let accounts: AccountInfo[];
  try {
    accounts = await choice.list(integration.createClient(secret, { env: getEnv(), timeoutMs: 10_000 }));
  } catch (error) {
    throw toAppFacingError(integration.mapError(error, { action: `list ${choice.noun}s` }));
  }
  const first = accounts[0];
  if (!first)
    throw new AppError("bad_request", `This ${integration.name} account has no ${choice.noun} to connect`, {
      remediation: `Create a ${choice.noun} in ${integration.name}, or connect another account`,
    });
  return { secret: choice.bind(secret, first), account: { ...first, ...(account.scopes ? { scopes: account.scopes } : {}) }, choices: accounts.length };
}

function accountChoiceOf(integration: Integration<unknown>) {
  const choice = integration.accountChoice;
  if (!choice)
    throw new AppError("bad_request", `A ${integration.name} connection is for one account only`, { remediation: "Connect another account instead." });
  return choice;
}

export type AccountChoices = { noun: string; current: string | null; accounts: { accountId: string; displayName: string; details?: Record<string, string> }[] };

/** The accounts a connection's authorization can act for (Fatture in Cloud companies), for "Choose the company". */
export async function listAccounts(db: Db, caller: Caller, raw: unknown, catalog: ProviderLookup): Promise<AccountChoices> {
  const { id } = connectionIdSchema.parse(raw);
  const row = await findManageable(db, caller, id);
  const integration = requireIntegration(catalog, row.appId);
  const choice = accountChoiceOf(integration);
  try {
    const accounts = await callProvider(db, integration, row, { action: `list ${choice.noun}s` }, (client) => choice.list(client));
    return {
      noun: choice.noun,
      current: row.accountId,
      accounts: accounts.map((a) => ({ accountId: a.accountId, displayName: a.displayName, ...(a.details ? { details: a.details } : {}) })),
    };
  } catch (error) {
    throw toAppFacingError(error);
  }
}

export const chooseAccountSchema = z.object({ id: z.string().min(1).max(64), accountId: z.string().min(1).max(100) });

/** Binds a connection to another account of its authorization (switch company). */
export async function chooseAccount(db: Db, caller: Caller, raw: unknown, catalog: ProviderLookup): Promise<ConnectionSummary> {
  const input = chooseAccountSchema.parse(raw);
  const { accounts, noun } = await listAccounts(db, caller, { id: input.id }, catalog);
  const account = accounts.find((a) => a.accountId === input.accountId);
  if (!account)
    throw new AppError("validation_failed", `That ${noun} is not one this connection can act for`, {
      issues: [{ path: ["accountId"], message: `Choose one of the ${noun}s listed` }],
    });
  const row = await findManageable(db, caller, input.id);
  const choice = accountChoiceOf(requireIntegration(catalog, row.appId));
  const updated = await rebindConnection(db, row.id, account, (secret) => choice.bind(secret as CredentialSecret, account));
  logger.info({ connectionId: row.id, app: row.appId, accountId: account.accountId }, `connection bound to another ${noun}`);
  return summarize(updated);
}

export const tokenConnectSchema = z.object({
  appId: z.string().min(1).max(64),
  owner: z.enum(["company", "user"]).default("company"),
  token: z.string().trim().min(8, "Paste the whole token").max(500, "That is longer than any token"),
});

/** Connects with a pasted token, checked with the provider before anything is saved. */
export async function connectWithToken(db: Db, caller: Caller, raw: unknown, catalog: ProviderLookup): Promise<NewConnection> {
  const input = tokenConnectSchema.parse(raw);
  const integration = requireIntegration(catalog, input.appId);
  const tokenAuth = integration.auth.token;
  if (!tokenAuth) throw new AppError("bad_request", `${integration.name} cannot be connected with a pasted token`, { remediation: "Use Connect instead." });
  const owner = ensureConnectionOwner(caller, input.owner);
  // A token of the wrong shape is refused here, before anything is sent to the provider.
  if (tokenAuth.format && !tokenAuth.format.pattern.test(input.token.trim())) {
    throw new AppError("validation_failed", tokenAuth.format.message, { issues: [{ path: ["token"], message: tokenAuth.format.message }] });
  }
  const pasted = tokenAuth.toSecret(input.token);
  let account: AccountInfo;
  try {
    account = await integration.testConnection(integration.createClient(pasted, { env: getEnv(), timeoutMs: 10_000 }));
  } catch (error) {
    const mapped = integration.mapError(error, { action: "test" });
    if (mapped.code === "E_CREDENTIAL_INVALID") {
      throw new AppError("validation_failed", `${integration.name} did not accept this token`, {
        issues: [{ path: ["token"], message: `${integration.name} did not accept this token (${mapped.message})` }],
      });
    }
    throw toAppFacingError(mapped);
  }
  const bound = await bindFirstAccount(integration, pasted, account);
  const { secret } = bound;
  account = bound.account;
  const row = await saveConnection(db, {
    owner,
    app: { id: integration.id, name: integration.name },
    type: "apikey",
    secret,
    displayName: account.displayName,
    accountId: account.accountId,
    scopes: account.scopes ?? [],
    tokenExpiresAt: null,
    createdById: caller.userId,
  });
  logger.info({ connectionId: row.id, app: integration.id, owner: input.owner }, "connected with a pasted token");
  await audit(db, auditActor(caller), "connection.connected", "connection", row.id, { app: integration.id, account: account.displayName, via: "pasted token" });
  return { ...summarize(row), accountChoices: bound.choices };
}

export const redirectUriFor = (appUrl: string, provider: string) => `${appUrl}/api/integrations/${provider}/callback`;

/** Starts OAuth: the URL of the provider's consent page, with a fresh state bound to this user. */
export async function startOAuth(
  db: Db,
  caller: Caller,
  input: { provider: string; owner: "company" | "user"; appUrl?: string },
  catalog: ProviderLookup,
): Promise<{ url: string }> {
  const integration = requireIntegration(catalog, input.provider);
  const oauth = integration.auth.oauth2;
  const env = getEnv();
  if (!oauth || !oauthConfigured(integration)) {
    throw new AppError("bad_request", `Connecting ${integration.name} is not configured on this server`, {
      remediation: integration.auth.token
        ? `Paste a ${integration.auth.token.label.toLowerCase()} instead, or ask the operator to set its client id and secret.`
        : "Ask the operator to set its client id and secret.",
    });
  }
  if (!caller.userId) throw new AppError("unauthenticated", "Sign in to connect an account");
  ensureConnectionOwner(caller, input.owner);
  const redirectUri = redirectUriFor(input.appUrl ?? env.appUrl, integration.id);
  const { state, pkce } = await createOAuthState(db, {
    provider: integration.id,
    userId: caller.userId,
    companyId: caller.companyId,
    owner: input.owner,
    redirectUri,
    pkce: oauth.pkce,
  });
  return { url: authorizationUrl(integration, { state, redirectUri, ...(pkce ? { codeChallenge: pkce.challenge } : {}) }) };
}

export const callbackQuerySchema = z.object({
  code: z.string().min(1).max(500).optional(),
  state: z.string().min(1).max(200),
  error: z.string().max(200).optional(),
});

/** Finishes OAuth: checks the state, exchanges the code and stores the tokens sealed. */
export async function completeOAuth(db: Db, caller: Caller, input: { provider: string; query: unknown }, catalog: ProviderLookup): Promise<NewConnection> {
  const integration = requireIntegration(catalog, input.provider);
  const oauth = integration.auth.oauth2;
  if (!oauth) throw notFound("Integration");
  if (!caller.userId) throw new AppError("unauthenticated", "Sign in to connect an account");
  const query = callbackQuerySchema.parse(input.query);
  const state = await consumeOAuthState(db, { provider: integration.id, state: query.state, userId: caller.userId });
  if (state.companyId !== caller.companyId)
    throw new AppError("bad_request", "The authorization was started in another company", { remediation: "Switch back to that company, or start again here." });
  if (query.error || !query.code)
    throw new AppError(
      "bad_request",
      query.error === "access_denied"
        ? `${integration.name} access was not allowed`
        : `${integration.name} did not authorize the connection (${query.error ?? "no code"})`,
      { remediation: "Try connecting again." },
    );
  const owner = ensureConnectionOwner(caller, state.owner);
  let grant;
  try {
    grant = await exchangeCode(integration, { code: query.code, redirectUri: state.redirectUri, codeVerifier: state.codeVerifier });
  } catch (error) {
    throw toAppFacingError(integration.mapError(error, { action: "oauth" }));
  }
  const bound = await bindFirstAccount(integration, grant.secret, grant.account);
  const row = await saveGrant(db, integration, owner, { ...grant, secret: bound.secret, account: bound.account }, caller.userId);
  logger.info({ connectionId: row.id, app: integration.id, owner: state.owner }, "connected through OAuth");
  await audit(db, auditActor(caller), "connection.connected", "connection", row.id, { app: integration.id, account: bound.account.displayName, via: "OAuth" });
  return { ...summarize(row), accountChoices: bound.choices };
}

/** Stores what an OAuth exchange gave, sealed. */
export function saveGrant(db: Db, provider: AnyIntegration, owner: ConnectionOwner, grant: TokenGrant, createdById: string | null) {
  return saveConnection(db, {
    owner,
    app: { id: provider.id, name: provider.name },
    type: "oauth",
    secret: grant.secret,
    displayName: grant.account.displayName,
    accountId: grant.account.accountId,
    scopes: grant.account.scopes ?? [],
    tokenExpiresAt: grant.expiresAt,
    createdById,
  });
}
