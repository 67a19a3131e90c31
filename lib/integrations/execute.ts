import type { Logger } from "pino";
import { getEnv, type Env } from "@/lib/config/env";
import { KeyUnavailableError } from "@/lib/credentials/crypto";
import { refreshCredentialLocked } from "@/lib/credentials/refresh";
import { findCredential, resolveCredential, type ResolvedBy } from "@/lib/credentials/resolve";
import { markNeedsAttention, openSecret } from "@/lib/credentials/store";
import type { Db } from "@/lib/db";
import { fileReader } from "@/lib/files/store";
import type { Credential } from "@/lib/generated/prisma/client";
import { logger as appLogger } from "@/lib/log";
import { WorkflowError } from "@/lib/workflow/errors";
import { canRefresh as canRefreshGrant, refreshGrant } from "@/lib/integrations/oauth2";
import { takeRateLimitSlot } from "@/lib/integrations/rate-limit";
import type { ActionContext, AnyAction, AnyIntegration, CredentialSecret, IdempotencyStrategy, Integration, UndoStrategy } from "@/lib/integrations/types";

// The one way the engine runs an integration action (see lib/integrations/README.md):
// resolve the connection now → refuse paused / broken ones → take a rate-limit slot → decrypt →
// refresh an expiring token under a lock → call the provider → map its errors to the taxonomy,
// refreshing once on a rejected token and marking the connection needs_attention when that fails.
// RunEffect bookkeeping stays with the engine: `beforeCall` is its hook to write the pending effect.

/** Refresh tokens this long before they expire. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const DEFAULT_TIMEOUT_MS = 15_000;

/** The provider and action a call is for (Catalog.action("slack.send_message")). */
export type ActionTarget = { provider: AnyIntegration; action: AnyAction };

const nodeTypeOf = ({ provider, action }: ActionTarget) => `${provider.id}.${action.id}`;

export type ExecuteActionRequest = ActionTarget & {
  companyId: string;
  /** Who started the run; null when nobody did (schedule, webhook, event). */
  userId: string | null;
  /** The node's connectionId, when it pins one. */
  connectionId?: string | null;
  /** The step's config after interpolation; validated here against the action's schema. */
  input: unknown;
  runId: string;
  stepId: string;
  nodeId?: string;
  /** Stable for the step across attempts and replays (the RunEffect's key). */
  idempotencyKey: string;
  /** Dry run: returns action.preview(input); nothing is decrypted or called. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** Bounds each provider HTTP call (default 15 s). */
  timeoutMs?: number;
  /**
   * Called once, after the connection is resolved and just before the provider is called (never in
   * a dry run or when resolution fails): where the engine writes its pending RunEffect. A built-in
   * app has no connection (null).
   */
  beforeCall?: (info: { connectionId: string | null; appId: string }) => Promise<void>;
  logger?: Logger;
  now?: () => Date;
};

export type ExecuteActionResult = {
  output: unknown;
  /** The connection used (RunEffect.credentialId); null in a dry run with nothing connected. */
  connectionId: string | null;
  /** "server": the company had no connection and the provider's serverConnection was used. */
  resolvedBy: ResolvedBy | "server" | null;
  /** The provider's id of what was created (RunEffect.externalRef), for undo. */
  externalRef: string | null;
  dryRun: boolean;
};

/** What the engine needs to keep RunEffect books for a node type; undefined for non-integration types. */
export type ActionEffectInfo = {
  appId: string;
  action: string;
  effectful: boolean;
  idempotency: IdempotencyStrategy;
  undoStrategy: UndoStrategy;
  /** True when undoEffect can undo it through the provider's API. */
  canUndo: boolean;
};

export function describeAction({ provider, action }: ActionTarget): ActionEffectInfo {
  return {
    appId: provider.id,
    action: action.id,
    effectful: action.effectful,
    idempotency: action.idempotency,
    undoStrategy: action.undo.strategy,
    canUndo: Boolean(action.undo.run) && (action.undo.strategy === "api_delete" || action.undo.strategy === "api_update"),
  };
}

function parseInput(action: AnyAction, nodeType: string, input: unknown): unknown {
  const parsed = action.config.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
  throw new WorkflowError("E_VALIDATION", {
    message: `The ${nodeType} step's fields are not valid: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`,
    details: { issues },
  });
}

const runUrlOf = (appUrl: string, runId: string) => `${appUrl}/runs/${runId}`;

function decrypt(credential: Credential, appName: string): CredentialSecret {
  try {
    return openSecret<CredentialSecret>(credential);
  } catch (error) {
    const missingKey = error instanceof KeyUnavailableError;
    throw new WorkflowError("E_CREDENTIAL_INVALID", {
      message: missingKey
        ? `The ${appName} connection was encrypted with a key this server does not have (${credential.keyId})`
        : `The ${appName} connection's stored credentials cannot be decrypted`,
      remediation: missingKey
        ? "Add the old key to ENCRYPTION_KEYS_PREVIOUS, or reconnect the account in Settings > Integrations"
        : `Reconnect ${appName} in Settings > Integrations`,
      details: { connectionId: credential.id },
    });
  }
}

type Session = {
  db: Db;
  env: Env;
  integration: Integration<unknown>;
  /** null: the server's own key material (serverConnection), which nothing stores or refreshes. */
  credential: Credential | null;
  secret: CredentialSecret;
  /** The ciphertext the current secret came from: the lock compares it to detect a refresh by someone else. */
  ciphertext: string;
  refreshed: boolean;
};

const canRefresh = (session: Session) => session.credential !== null && canRefreshGrant(session.integration, session.secret);

async function refreshSession(session: Session, log: Logger): Promise<void> {
  const name = session.integration.name;
  // Only a stored connection refreshes (canRefresh).
  const credential = session.credential!;
  try {
    const result = await refreshCredentialLocked<CredentialSecret>(session.db, { id: credential.id, ciphertext: session.ciphertext }, async (secret) => {
      const grant = await refreshGrant(session.integration, secret);
      return { secret: grant.secret, expiresAt: grant.expiresAt, ...(grant.account.scopes?.length ? { scopes: grant.account.scopes } : {}) };
    });
    session.secret = result.secret;
    session.refreshed = true;
    const row = await session.db.credential.findUnique({ where: { id: credential.id }, select: { ciphertext: true } });
    session.ciphertext = row?.ciphertext ?? session.ciphertext;
    log.info({ connectionId: credential.id }, "refreshed the connection's access token");
  } catch (error) {
    const mapped = session.integration.mapError(error, { action: "refresh" });
    if (mapped.code === "E_CREDENTIAL_INVALID") {
      await markNeedsAttention(session.db, credential.id);
      throw new WorkflowError("E_CREDENTIAL_INVALID", {
        message: `${name} refused to refresh the connection "${credential.displayName}"`,
        remediation: `Reconnect ${name} in Settings > Integrations`,
        details: { connectionId: credential.id },
        cause: error,
      });
    }
    throw mapped;
  }
}

/**
 * Calls the provider with the session's client; on a rejected token, refreshes once (if the
 * connection can) and tries again; if that cannot fix it, marks the connection needs_attention.
 */
async function withClient<T>(
  session: Session,
  log: Logger,
  timeoutMs: number,
  call: (client: unknown) => Promise<T>,
  context: { action: string; input?: unknown },
): Promise<T> {
  const { integration } = session;
  for (;;) {
    try {
      return await call(integration.createClient(session.secret, { env: session.env, timeoutMs }));
    } catch (error) {
      const mapped = integration.mapError(error, context);
      if (mapped.code !== "E_CREDENTIAL_INVALID") throw mapped;
      if (!session.refreshed && canRefresh(session)) {
        await refreshSession(session, log);
        continue;
      }
      if (!session.credential)
        throw new WorkflowError("E_CREDENTIAL_INVALID", {
          message: `${mapped.message} — this is the server's own ${integration.name} key`,
          remediation: `Fix the server's ${integration.name} key (its env), or connect ${integration.name} in Settings > Integrations`,
          details: mapped.details,
          cause: error,
        });
      await markNeedsAttention(session.db, session.credential.id);
      log.warn({ code: mapped.code, details: mapped.details }, "provider rejected the connection; marked needs attention");
      throw new WorkflowError("E_CREDENTIAL_INVALID", {
        message: `${mapped.message} — the connection "${session.credential.displayName}" now needs attention`,
        remediation: `Reconnect ${integration.name} in Settings > Integrations`,
        details: { ...mapped.details, connectionId: session.credential.id },
        cause: error,
      });
    }
  }
}

async function openSession(db: Db, env: Env, integration: Integration<unknown>, credential: Credential, log: Logger, now: Date): Promise<Session> {
  const session: Session = {
    db,
    env,
    integration,
    credential,
    secret: decrypt(credential, integration.name),
    ciphertext: credential.ciphertext,
    refreshed: false,
  };
  const expiring = credential.tokenExpiresAt && credential.tokenExpiresAt.getTime() - now.getTime() < REFRESH_MARGIN_MS;
  if (expiring && canRefresh(session)) await refreshSession(session, log);
  return session;
}

export async function executeIntegrationAction(db: Db, request: ExecuteActionRequest): Promise<ExecuteActionResult> {
  const { provider: integration, action } = request;
  const nodeType = nodeTypeOf(request);
  const input = parseInput(action, nodeType, request.input);
  const env = getEnv();
  const now = request.now?.() ?? new Date();
  const runUrl = runUrlOf(env.appUrl, request.runId);
  const app = { id: integration.id, name: integration.name };
  const resolveRequest = { companyId: request.companyId, userId: request.userId, app, connectionId: request.connectionId ?? null, runId: request.runId };

  if (request.dryRun) {
    const found = integration.auth.builtin ? null : await findCredential(db, resolveRequest).catch(() => null);
    const output = action.preview(input, {
      runId: request.runId,
      stepId: request.stepId,
      appUrl: env.appUrl,
      runUrl,
      idempotencyKey: request.idempotencyKey,
      defaults: found?.defaults ?? { channel: null },
    });
    return { output, connectionId: found?.credential.id ?? null, resolvedBy: found?.by ?? null, externalRef: null, dryRun: true };
  }

  const { connectionId, by, output } = await callAction(db, request, { input, now, runUrl, rateLimited: true }, (ctx) => action.execute(ctx, input));
  return { output, connectionId, resolvedBy: by, externalRef: action.externalRef?.(output) ?? null, dryRun: false };
}

/**
 * After a crash during a step's call: asks the provider whether the effect happened, through the
 * action's reconcile (found by the step's idempotency key). Without one, the outcome is unknown.
 */
export async function reconcileIntegrationAction(
  db: Db,
  request: ExecuteActionRequest,
): Promise<{ outcome: "done"; output: unknown } | { outcome: "not_done" } | { outcome: "unknown" }> {
  const { action } = request;
  const reconcile = action.reconcile;
  if (!reconcile) return { outcome: "unknown" };
  const input = parseInput(action, nodeTypeOf(request), request.input);
  const env = getEnv();
  const { output } = await callAction(
    db,
    request,
    { input, now: request.now?.() ?? new Date(), runUrl: runUrlOf(env.appUrl, request.runId), rateLimited: false },
    (ctx) => reconcile(ctx, input),
  );
  return output === null ? { outcome: "not_done" } : { outcome: "done", output };
}

/** A built-in app's stand-in for a connection, in contexts and logs (it is never stored). */
const builtinConnection = (integration: AnyIntegration) => ({
  id: `builtin:${integration.id}`,
  appId: integration.id,
  displayName: integration.name,
  accountId: null,
});

type CallInfo = { input: unknown; now: Date; runUrl: string; rateLimited: boolean };

function actionContext(
  db: Db,
  request: ExecuteActionRequest,
  client: unknown,
  connection: ActionContext<unknown>["connection"],
  extra: { runUrl: string; logger: Logger; signal: AbortSignal; defaults: ActionContext<unknown>["defaults"] },
): ActionContext<unknown> {
  return {
    client,
    connection,
    companyId: request.companyId,
    userId: request.userId,
    runId: request.runId,
    stepId: request.stepId,
    idempotencyKey: request.idempotencyKey,
    appUrl: getEnv().appUrl,
    ...extra,
    files: fileReader(db, request.companyId),
  };
}

/**
 * A built-in app's call: no connection to resolve, rate-limit, decrypt or refresh; the client is
 * Flowline's own service scoped to the run's company. Errors are mapped like a provider's.
 */
async function callBuiltin<T>(
  db: Db,
  request: ExecuteActionRequest,
  builtin: NonNullable<AnyIntegration["auth"]["builtin"]>,
  { input, runUrl }: CallInfo,
  call: (ctx: ActionContext<unknown>) => Promise<T>,
): Promise<{ connectionId: null; by: null; output: T }> {
  const { provider: integration, action } = request;
  const log = (request.logger ?? appLogger).child({ runId: request.runId, stepId: request.stepId, nodeType: nodeTypeOf(request) });
  await request.beforeCall?.({ connectionId: null, appId: integration.id });
  const client = builtin.client({ db, companyId: request.companyId, userId: request.userId, runId: request.runId });
  const signal = request.signal ?? new AbortController().signal;
  try {
    return {
      connectionId: null,
      by: null,
      output: await call(actionContext(db, request, client, builtinConnection(integration), { runUrl, logger: log, signal, defaults: { channel: null } })),
    };
  } catch (error) {
    throw integration.mapError(error, { action: action.id, input });
  }
}

/**
 * The call itself, shared by execute and reconcile: resolve the connection now → a rate-limit slot
 * (for execute) → decrypt and refresh → `beforeCall` → call with the provider's client, mapping
 * its errors (one refresh on a rejected token, then needs_attention).
 */
async function callAction<T>(
  db: Db,
  request: ExecuteActionRequest,
  info: CallInfo,
  call: (ctx: ActionContext<unknown>) => Promise<T>,
): Promise<{ connectionId: string | null; by: ResolvedBy | "server" | null; output: T }> {
  const { provider: integration, action } = request;
  if (integration.auth.builtin) return callBuiltin(db, request, integration.auth.builtin, info, call);
  const { input, now, runUrl, rateLimited } = info;
  const env = getEnv();
  const app = { id: integration.id, name: integration.name };
  const resolved = await resolveCredential(db, {
    companyId: request.companyId,
    userId: request.userId,
    app,
    connectionId: request.connectionId ?? null,
    runId: request.runId,
  }).catch((error: unknown) => {
    // No connection of the company's own: the server's key, where the provider offers one.
    const missing = error instanceof WorkflowError && error.code === "E_CREDENTIAL_MISSING" && !request.connectionId;
    const server = missing ? integration.serverConnection?.(env) : null;
    if (!server) throw error;
    return { server };
  });
  const credential = "server" in resolved ? null : resolved.credential;
  const by = "server" in resolved ? "server" : resolved.by;
  const log = (request.logger ?? appLogger).child({
    runId: request.runId,
    stepId: request.stepId,
    nodeType: nodeTypeOf(request),
    connectionId: credential?.id ?? "server",
  });
  // The server's key has no row to count in; the provider's own limit (a 429) still applies.
  if (rateLimited && credential)
    await takeRateLimitSlot(db, {
      credentialId: credential.id,
      bucket: action.rateLimit.bucket ?? integration.id,
      limit: action.rateLimit,
      appName: integration.name,
      now,
    });
  const session =
    "server" in resolved
      ? { db, env, integration, credential: null, secret: resolved.server.secret, ciphertext: "", refreshed: false }
      : await openSession(db, env, integration, resolved.credential, log, now);
  await request.beforeCall?.({ connectionId: credential?.id ?? null, appId: integration.id });

  const signal = request.signal ?? new AbortController().signal;
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const output = await withClient(
    session,
    log,
    timeoutMs,
    async (client) => {
      if (signal.aborted) throw new WorkflowError("E_TIMEOUT", { message: "The step was cancelled before it called the provider" });
      return call(
        actionContext(
          db,
          request,
          client,
          credential
            ? { id: credential.id, appId: credential.appId, displayName: credential.displayName, accountId: credential.accountId }
            : {
                id: "server",
                appId: integration.id,
                displayName: "server" in resolved ? resolved.server.displayName : integration.name,
                accountId: null,
                server: true,
              },
          { runUrl, logger: log, signal, defaults: "server" in resolved ? { channel: null } : resolved.defaults },
        ),
      );
    },
    { action: action.id, input },
  );
  if (credential) await db.credential.updateMany({ where: { id: credential.id, status: "connected" }, data: { lastValidatedAt: new Date() } });
  return { connectionId: credential?.id ?? null, by, output };
}

export type UndoEffectRequest = ActionTarget & {
  companyId: string;
  userId: string | null;
  /** RunEffect.credentialId: undo goes through the connection that made the effect (null for a built-in app's effect). */
  connectionId: string | null;
  /** RunEffect.externalRef */
  externalRef: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  logger?: Logger;
};

/** Undoes one effect through the provider (chat.delete, files.delete). Something already gone counts as undone. */
export async function undoEffect(db: Db, request: UndoEffectRequest): Promise<void> {
  const { provider: integration, action } = request;
  const undo = action.undo.run;
  if (!undo) {
    throw new WorkflowError("E_VALIDATION", {
      message: `${integration.name} "${action.name}" cannot be undone automatically (${action.undo.strategy})`,
      remediation: `Undo it by hand in ${integration.name}`,
    });
  }
  const signal = request.signal ?? new AbortController().signal;
  const builtin = integration.auth.builtin;
  if (builtin) {
    const log = (request.logger ?? appLogger).child({ nodeType: nodeTypeOf(request), undo: true });
    const client = builtin.client({ db, companyId: request.companyId, userId: request.userId, runId: null });
    try {
      await undo({ client, connection: builtinConnection(integration), companyId: request.companyId, logger: log, signal }, request.externalRef);
    } catch (error) {
      throw integration.mapError(error, { action: `undo ${action.id}` });
    }
    return;
  }
  const app = { id: integration.id, name: integration.name };
  const { credential } = await resolveCredential(db, { companyId: request.companyId, userId: request.userId, app, connectionId: request.connectionId });
  const log = (request.logger ?? appLogger).child({ nodeType: nodeTypeOf(request), connectionId: credential.id, undo: true });
  await callProvider(
    db,
    integration,
    credential,
    { action: `undo ${action.id}` },
    (client) =>
      undo(
        {
          client,
          connection: { id: credential.id, appId: credential.appId, displayName: credential.displayName, accountId: credential.accountId },
          companyId: request.companyId,
          logger: log,
          signal,
        },
        request.externalRef,
      ),
    { logger: log, timeoutMs: request.timeoutMs },
  );
}

/**
 * Calls a provider with a resolved connection outside a step (undo, options loaders): decrypted
 * here only, an expiring token refreshed under the lock, one refresh on a rejected token, and the
 * connection marked needs_attention when that cannot fix it. Errors come back mapped to the taxonomy.
 */
export async function callProvider<T>(
  db: Db,
  provider: AnyIntegration,
  credential: Credential,
  context: { action: string; input?: unknown },
  call: (client: unknown) => Promise<T>,
  options: { logger?: Logger; timeoutMs?: number } = {},
): Promise<T> {
  const log = options.logger ?? appLogger.child({ connectionId: credential.id, app: provider.id, action: context.action });
  const session = await openSession(db, getEnv(), provider, credential, log, new Date());
  return withClient(session, log, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, call, context);
}
