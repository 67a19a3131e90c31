import type { Db } from "@/lib/db";
import type { FileReader } from "@/lib/files/store";
import type { Logger } from "pino";
import type { z } from "zod";
import type { OptionItem } from "@/lib/catalog/description";
import type { WorkflowError } from "@/lib/workflow/errors";
import type { TriggerTypeSpec } from "@/lib/workflow/trigger-types";

// The integration contract. A provider is one folder (index.ts, client.ts, one file per action)
// that exports an `Integration`; lib/integrations/registry.ts lists them, and every action becomes
// a workflow node type "<integration id>.<action id>". The engine runs actions only through
// lib/integrations/execute.ts, which resolves and decrypts the connection, applies the rate limit,
// refreshes tokens and maps errors; actions never see the database or key material.

/** Matches the UndoStrategy enum of RunEffect (prisma/schema.prisma). */
export type UndoStrategy = "api_delete" | "api_update" | "manual" | "none";

/**
 * What happens if the engine does not know whether an effectful call went through (a crash
 * between calling out and recording the result):
 * - "natural": repeating the call has the same effect (set a value, delete a thing): safe to retry.
 * - "provider_key": the provider deduplicates on ctx.idempotencyKey: safe to retry.
 * - "none": a repeat would do it twice (post a message): the engine must not repeat blindly; it
 *   shows the step as needing attention. Actions tag what they create with the key where the
 *   provider allows (Slack message metadata), so a person can find it.
 */
export type IdempotencyStrategy = "natural" | "provider_key" | "none";

/** A provider's env variables: optional strings (or with defaults), so a fresh install starts without them. */
export type ProviderEnvSchema = z.ZodObject<z.ZodRawShape>;
/** The env as a provider reads it (its schema's output; a provider narrows it to its own type). */
export type ProviderEnv = Readonly<Record<string, unknown>>;

/** The key material of a connection, only ever held decrypted inside execute.ts and the OAuth callback. */
export type CredentialSecret = {
  accessToken: string;
  refreshToken?: string;
  tokenType?: string;
  [extra: string]: unknown;
};

/** What a connection shows people: never key material. */
export type AccountInfo = {
  /** The workspace / account name, e.g. "Acme" (Credential.displayName). */
  displayName: string;
  /** The provider's id of the account or workspace, e.g. Slack's team id (Credential.accountId). */
  accountId: string;
  scopes?: string[];
  /** Extra masked details for the settings page, e.g. { bot: "@flowline", url: "acme.slack.com" }. */
  details?: Record<string, string>;
};

/** What an OAuth exchange or a token refresh produces. */
export type TokenGrant = {
  secret: CredentialSecret;
  account: AccountInfo;
  /** When the access token expires; null when it does not. */
  expiresAt: Date | null;
};

/**
 * OAuth 2 (authorization code) declared as data; lib/integrations/oauth2.ts executes it for
 * every provider (oauth4webapi), with the state, PKCE and refresh lock of lib/credentials.
 * `Env` is the provider's own env (its `env` schema's output).
 */
export type OAuth2Spec<Env = ProviderEnv, TokenResponse = unknown> = {
  kind: "oauth2";
  /** The variables of the provider's env holding this server's client id and secret: both set, "Connect" works. */
  clientIdVar: string;
  clientSecretVar: string;
  // Methods, not function properties: a provider's spec over its own env and token answer is
  // then assignable to the erased OAuth2Spec the shared client holds.
  authorizeUrl(env: Env): string;
  tokenUrl(env: Env): string;
  scopes: readonly string[];
  /** How scopes are joined in the authorize URL (Slack: ","). */
  scopeSeparator: " " | ",";
  /** Whether the provider accepts PKCE (code_challenge S256). */
  pkce: boolean;
  clientAuthentication: "client_secret_post" | "client_secret_basic";
  /** token_type values besides bearer the provider answers with (Slack: "bot"). */
  tokenTypes?: readonly string[];
  /** The token endpoint's answer, validated before anything is stored. */
  tokenResponse: z.ZodType<TokenResponse>;
  /** What to store from a token answer; `previous` is the secret being refreshed (providers that do not rotate keep its refresh token). */
  toGrant(response: TokenResponse, previous?: CredentialSecret): TokenGrant;
  /** Tokens expire and are renewed with the refresh_token grant: before expiry and once after a 401. */
  refresh: boolean;
};

export type TokenAuth = {
  kind: "token";
  /** e.g. "Bot token" */
  label: string;
  /** A harmless example shape, e.g. "xoxb-…" */
  placeholder: string;
  help: string;
  /** The shape a token has, checked before the provider is asked (a clear 422 for a paste of the wrong thing). */
  format?: { pattern: RegExp; message: string };
  /** Turns the pasted text into key material; the token is then validated with testConnection before it is saved. */
  toSecret(token: string): CredentialSecret;
};

/** What a built-in app's client is scoped to: the company (and who or what acts for it) of this call. */
export type BuiltinScope = { db: Db; companyId: string; userId: string | null; runId: string | null };

/**
 * Flowline's own apps (the Doc Manager): nothing to connect, no key material. execute.ts builds
 * the client from the call's company instead of a connection, and skips resolution, rate limits
 * and refresh; effects, previews and undo go through the same paths as every provider's.
 */
export type BuiltinAuth<Client> = { kind: "builtin"; client(scope: BuiltinScope): Client };

export type RateLimit = {
  /** Calls allowed per window for one connection, across every workflow and process of the company. */
  limit: number;
  windowMs: number;
  /** Actions with the same bucket share one counter per connection; defaults to the integration id. */
  bucket?: string;
};

/** What execute receives. Built per call by execute.ts; nothing in it outlives the call. */
export type ActionContext<Client> = {
  /** The provider client, built from the decrypted credential for this call only. */
  client: Client;
  /** The connection used (masked: no key material). */
  connection: {
    id: string;
    appId: string;
    displayName: string;
    accountId: string | null;
    /** The server's own key (serverConnection), not a company connection. */ server?: true;
  };
  companyId: string;
  /** Who started the run; null for scheduled and event-triggered runs. */
  userId: string | null;
  runId: string;
  stepId: string;
  /** Stable for the step across attempts and replays: send it where the provider deduplicates. */
  idempotencyKey: string;
  /** The app's public address, e.g. https://flowline.example.com */
  appUrl: string;
  /** appUrl + "/runs/" + runId */
  runUrl: string;
  /** A child of the app logger (redacting), bound to run, step and action. */
  logger: Logger;
  /** Aborted when the run is cancelled or the step times out. */
  signal: AbortSignal;
  /** Files of the run's company by id (an inbound attachment, a Doc Manager document). */
  files: FileReader;
  /**
   * Where a step that leaves a field empty goes (installation scopes): the workflow's default
   * channel for the app, else the connection's own (set in Settings > Integrations); null: none.
   */
  defaults: { channel: string | null };
};

/** What preview receives in a dry run: no client, nothing decrypted. */
export type PreviewContext = Pick<ActionContext<never>, "runId" | "stepId" | "appUrl" | "runUrl" | "idempotencyKey" | "defaults">;

/** What an undo receives: the same client, and the effect's externalRef recorded after execute. */
export type UndoContext<Client> = Pick<ActionContext<Client>, "client" | "connection" | "companyId" | "logger" | "signal">;

export type ActionDefinition<Client = unknown, Config extends z.ZodType = z.ZodType, Output extends z.ZodType = z.ZodType> = {
  /** snake_case, unique in the integration; the node type is "<integration>.<id>". */
  id: string;
  name: string;
  description: string;
  /** Drives the editor's modal, the API's validation and execute's typed input. */
  config: Config;
  /** A config that is valid as it is (the catalog's example). */
  example: z.input<Config>;
  output: Output;
  /** Changes something outside Flowline: the engine records a RunEffect around it. */
  effectful: boolean;
  idempotency: IdempotencyStrategy;
  undo: {
    strategy: UndoStrategy;
    /** Present for api_delete / api_update. A thing already gone counts as undone. */
    run?: (ctx: UndoContext<Client>, externalRef: string) => Promise<void>;
    /**
     * The undo in words for the run page's preview ("Delete invoice 12"); for manual ones what a
     * person has to undo. From the step's input and output (null when they no longer parse).
     */
    describe?: (effect: { externalRef: string | null; input: z.output<Config> | null; output: z.output<Output> | null }) => string;
    /** Where the provider shows what the step made, when it has such a page. */
    link?: (effect: { externalRef: string | null; output: z.output<Output> | null }) => string | null;
  };
  /** The provider's id of what execute created (RunEffect.externalRef), for undo. */
  externalRef?: (output: z.output<Output>) => string | null;
  rateLimit: RateLimit;
  /** What a dry run shows instead of calling out. Pure: no client, no network. */
  preview: (input: z.output<Config>, ctx: PreviewContext) => z.output<Output>;
  /** Does the work; returns output matching `output` or throws a WorkflowError of the taxonomy. */
  execute: (ctx: ActionContext<Client>, input: z.output<Config>) => Promise<z.output<Output>>;
  /**
   * After a crash during execute: finds what execute made, by the step's idempotency key
   * (ctx.idempotencyKey), and returns its output; null when it is not there (it never happened).
   */
  reconcile?: (ctx: ActionContext<Client>, input: z.output<Config>) => Promise<z.output<Output> | null>;
};

/** An action with its types erased, as the registry holds it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAction = ActionDefinition<any, z.ZodType<any>, z.ZodType<any>>;

/**
 * Lists the choices of a config field (Slack channels, Fatture in Cloud clients…) with the
 * connection a step would use. Fields name it as "<provider>.<id>" in their `ui.loader` hint.
 */
export type OptionsLoader<Client> = {
  id: string;
  /** e.g. "Slack channels" */
  label: string;
  /** Whether `search` narrows the list at the provider (or over the pages read). */
  searchable: boolean;
  load(client: Client, query: { search?: string; cursor?: string }): Promise<{ options: OptionItem[]; nextCursor: string | null }>;
};

/**
 * For providers whose authorization can act for several accounts (Fatture in Cloud: the companies
 * of the user who connected). A connection is bound to one of them: the first when it is made
 * (Settings then asks which, if there are several) and switchable later to another of the same
 * authorization.
 */
export type AccountChoice<Client> = {
  /** What one is called, e.g. "company". */
  noun: string;
  /** The accounts this key material can act for. */
  list(client: Client): Promise<AccountInfo[]>;
  /** The key material bound to one of them. */
  bind(secret: CredentialSecret, account: AccountInfo): CredentialSecret;
};

export type Integration<Client = unknown> = {
  /** Lowercase; the App row's id and the node types' namespace. */
  id: string;
  name: string;
  description: string;
  categories: readonly string[];
  /** The variables it reads, merged into the one validated env (lib/config/env.ts); `.describe()` says what each is for. */
  env: ProviderEnvSchema;
  auth: { oauth2?: OAuth2Spec; token?: TokenAuth; builtin?: BuiltinAuth<Client> };
  /** Builds the provider client from key material; `timeoutMs` bounds each HTTP call. */
  createClient(secret: CredentialSecret, options: { env: ProviderEnv; timeoutMs: number }): Client;
  /** Checks the key material works (Slack: auth.test) and says whose it is. */
  testConnection(client: Client): Promise<AccountInfo>;
  /**
   * Key material the server itself provides (Resend: RESEND_API_KEY, the default sender), used
   * when the company has no connection of its own; null when the server has none. A node that
   * pins a connection never falls back to it.
   */
  serverConnection?(env: ProviderEnv): { secret: CredentialSecret; displayName: string } | null;
  /** Present when a connection must be bound to one of several accounts of the authorization. */
  accountChoice?: AccountChoice<Client>;
  /** Revokes the token at the provider on disconnect, where the provider allows. */
  revoke?(client: Client): Promise<void>;
  /**
   * Maps anything a client call threw to the taxonomy. Must answer E_CREDENTIAL_INVALID for a
   * rejected token (execute.ts then refreshes once, or marks the connection needs_attention) and
   * E_RATE_LIMITED with retryAfterMs for the provider's 429.
   */
  mapError(error: unknown, context: { action?: string; input?: unknown }): WorkflowError;
  actions: readonly AnyAction[];
  /** Pickers for config fields, run on the server with the step's connection. */
  options?: readonly OptionsLoader<Client>[];
  /** Trigger types it brings (inbound events of the provider), listed in the catalog with the built-in ones. */
  triggers: readonly TriggerTypeSpec[];
  /**
   * Values a connection (for the company) and a workflow (its own installation scope) may set for
   * steps that leave them empty, read by actions from ctx.defaults; `loader` (one of `options`)
   * fills the picker. Discord: the default channel.
   */
  defaults?: { channel?: { loader: string } };
};

/** A provider with its client type erased, as the catalog holds it. */
export type AnyIntegration = Integration<unknown>;

/** How code outside lib/catalog finds providers: the catalog is passed in, never imported. */
export type ProviderLookup = {
  providers: readonly AnyIntegration[];
  provider(id: string): AnyIntegration | undefined;
};

/** Helps providers declare actions with inferred config/output types. */
export function defineAction<Client, Config extends z.ZodType, Output extends z.ZodType>(
  action: ActionDefinition<Client, Config, Output>,
): ActionDefinition<Client, Config, Output> {
  return action;
}
