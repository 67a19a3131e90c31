import { z } from "zod";
import { audit, auditActor } from "@/lib/audit";
import { requireRole, type Caller } from "@/lib/auth/roles";
import { findCredential, type Resolution } from "@/lib/credentials/resolve";
import { findManageable, summarize, type ConnectionSummary } from "@/lib/credentials/store";
import type { Db } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import { providerIconPath } from "@/lib/integrations/icons";
import type { AnyIntegration, ProviderLookup } from "@/lib/integrations/types";

// Installation scopes: a connection installed for the company is what every workflow uses; a
// workflow may set its own connection and default channel for an app, and pause the app for
// itself alone (WorkflowConnection). lib/credentials/resolve.ts applies them at every step; this
// module is where people read and change them (the workflow page's Connections, Settings >
// Integrations), and says where each value comes from. Company connections only: a person's own
// connection would fail for runs someone else starts.

export type ValueOrigin = "workflow" | "company" | "none";

/** One app as a workflow sees it: each value with where it comes from. */
export type WorkflowAppScope = {
  appId: string;
  name: string;
  icon: string;
  /** The connection steps use when the node names none (for runs nobody started: a person's own profile wins in theirs). */
  /** value: what steps use; inherited: what the company gives (used again when the workflow sets none). */
  connection: { origin: ValueOrigin; value: ConnectionSummary | null; inherited: ConnectionSummary | null };
  /** Present when the app's actions take a default channel; loader: the picker that lists its channels. */
  defaultChannel: { origin: ValueOrigin; value: string | null; inherited: string | null; loader: string } | null;
  /** paused on this workflow; company: the connection it uses is paused for the whole company. */
  paused: { workflow: boolean; company: boolean };
  /** The company's connections of the app a workflow may choose. */
  choices: ConnectionSummary[];
};

/** The picker of an app's default channel ("discord.channels"), or null when its steps take none. */
export const defaultChannelLoader = (provider: AnyIntegration) => (provider.defaults?.channel ? `${provider.id}.${provider.defaults.channel.loader}` : null);

async function workflowOf(db: Db, caller: Caller, workflowId: string) {
  const workflow = await db.workflow.findFirst({
    where: { id: workflowId, companyId: caller.companyId, deletedAt: null },
    select: { id: true, name: true, draft: true },
  });
  if (!workflow) throw notFound("Workflow");
  return workflow;
}

/** The apps whose actions the draft uses, and those the workflow has settings for. */
function appsOf(draft: unknown, catalog: ProviderLookup, scoped: Set<string>): AnyIntegration[] {
  const nodes = (draft as { nodes?: { type?: unknown }[] } | null)?.nodes ?? [];
  const used = new Set(nodes.map((node) => (typeof node.type === "string" ? node.type.split(".")[0] : "")));
  return catalog.providers.filter((provider) => used.has(provider.id) || scoped.has(provider.id));
}

export async function listWorkflowScopes(db: Db, caller: Caller, workflowId: string, catalog: ProviderLookup): Promise<WorkflowAppScope[]> {
  const workflow = await workflowOf(db, caller, workflowId);
  const scopes = await db.workflowConnection.findMany({ where: { workflowId: workflow.id, companyId: caller.companyId } });
  const byApp = new Map(scopes.map((scope) => [scope.appId, scope]));
  const connections = await db.credential.findMany({ where: { companyId: caller.companyId }, orderBy: { createdAt: "desc" } });
  return Promise.all(
    appsOf(workflow.draft, catalog, new Set(byApp.keys())).map(async (provider) => {
      const scope = byApp.get(provider.id) ?? null;
      const app = { id: provider.id, name: provider.name };
      // What the company gives (no workflow scope, nobody's own profile), and what this workflow ends up with.
      const inherited = await findCredential(db, { companyId: caller.companyId, userId: null, app }, null);
      const effective: Resolution | null = scope
        ? await findCredential(db, { companyId: caller.companyId, userId: null, app }, scope).catch(() => null)
        : inherited;
      const loader = defaultChannelLoader(provider);
      const channelOrigin: ValueOrigin = scope?.defaultChannel ? "workflow" : effective?.credential.defaultChannel ? "company" : "none";
      return {
        appId: provider.id,
        name: provider.name,
        icon: providerIconPath(provider.id),
        connection: {
          origin: scope?.credentialId ? "workflow" : inherited ? "company" : "none",
          value: effective ? summarize(effective.credential) : null,
          inherited: inherited ? summarize(inherited.credential) : null,
        },
        defaultChannel: loader
          ? { origin: channelOrigin, value: effective?.defaults.channel ?? null, inherited: effective?.credential.defaultChannel ?? null, loader }
          : null,
        paused: { workflow: scope?.paused ?? false, company: effective?.credential.status === "paused" },
        choices: connections.filter((c) => c.appId === provider.id).map(summarize),
      } satisfies WorkflowAppScope;
    }),
  );
}

/** Forms send "" for "the company's": both mean null. */
const optional = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullable()
    .transform((value) => value || null);
const channelValue = optional(100);

export const workflowScopeSchema = z.object({
  workflowId: z.string().min(1).max(64),
  appId: z.string().min(1).max(64),
  /** null: use the company's. */
  connectionId: optional(64),
  /** null or empty: use the connection's (the company's) default channel. */
  defaultChannel: channelValue,
});

export const workflowPauseSchema = z.object({ workflowId: z.string().min(1).max(64), appId: z.string().min(1).max(64), paused: z.boolean() });

function providerOf(catalog: ProviderLookup, appId: string): AnyIntegration {
  const provider = catalog.provider(appId);
  if (!provider) throw notFound("Integration");
  return provider;
}

function channelFor(provider: AnyIntegration, channel: string | null): string | null {
  if (channel && !defaultChannelLoader(provider))
    throw new AppError("validation_failed", `${provider.name} steps take no default channel`, {
      issues: [{ path: ["defaultChannel"], message: "Leave it empty" }],
    });
  return channel;
}

/** Sets (or clears, with nulls) a workflow's own connection and default channel for an app. Admins only. */
export async function setWorkflowScope(db: Db, caller: Caller, raw: unknown, catalog: ProviderLookup): Promise<WorkflowAppScope[]> {
  requireRole(caller, "admin");
  const input = workflowScopeSchema.parse(raw);
  const provider = providerOf(catalog, input.appId);
  const workflow = await workflowOf(db, caller, input.workflowId);
  const defaultChannel = channelFor(provider, input.defaultChannel);
  let connection: { id: string; displayName: string } | null = null;
  if (input.connectionId) {
    const row = await db.credential.findFirst({ where: { id: input.connectionId, companyId: caller.companyId, appId: provider.id } });
    if (!row)
      throw new AppError("validation_failed", `That is not one of the company's ${provider.name} connections`, {
        issues: [{ path: ["connectionId"], message: `Choose a ${provider.name} connection of the company` }],
      });
    connection = row;
  }
  await db.$transaction(async (tx) => {
    const where = { workflowId_appId: { workflowId: workflow.id, appId: provider.id } };
    const existing = await tx.workflowConnection.findUnique({ where });
    // Nothing of its own left (and not paused): the workflow simply inherits again.
    if (!connection && !defaultChannel && !existing?.paused) await tx.workflowConnection.deleteMany({ where: { workflowId: workflow.id, appId: provider.id } });
    else
      await tx.workflowConnection.upsert({
        where,
        create: { companyId: caller.companyId, workflowId: workflow.id, appId: provider.id, credentialId: connection?.id ?? null, defaultChannel },
        update: { credentialId: connection?.id ?? null, defaultChannel },
      });
    await audit(tx, auditActor(caller), "workflow.connection_set", "workflow", workflow.id, {
      app: provider.id,
      workflow: workflow.name,
      connection: connection?.displayName ?? "the company's",
      channel: defaultChannel ?? "the company's",
    });
  });
  return listWorkflowScopes(db, caller, workflow.id, catalog);
}

/** Pauses (or resumes) an app for one workflow: its steps fail with E_CONNECTION_PAUSED; other workflows go on. Admins only. */
export async function setWorkflowScopePaused(db: Db, caller: Caller, raw: unknown, catalog: ProviderLookup): Promise<WorkflowAppScope[]> {
  requireRole(caller, "admin");
  const input = workflowPauseSchema.parse(raw);
  const provider = providerOf(catalog, input.appId);
  const workflow = await workflowOf(db, caller, input.workflowId);
  await db.$transaction(async (tx) => {
    const where = { workflowId_appId: { workflowId: workflow.id, appId: provider.id } };
    const existing = await tx.workflowConnection.findUnique({ where });
    if (!input.paused && existing && !existing.credentialId && !existing.defaultChannel) await tx.workflowConnection.delete({ where });
    else if (input.paused || existing)
      await tx.workflowConnection.upsert({
        where,
        create: { companyId: caller.companyId, workflowId: workflow.id, appId: provider.id, paused: input.paused },
        update: { paused: input.paused },
      });
    await audit(tx, auditActor(caller), input.paused ? "workflow.connection_paused" : "workflow.connection_resumed", "workflow", workflow.id, {
      app: provider.id,
      workflow: workflow.name,
    });
  });
  return listWorkflowScopes(db, caller, workflow.id, catalog);
}

export const defaultChannelSchema = z.object({ id: z.string().min(1).max(64), defaultChannel: channelValue });

/** The company-level default channel of a connection (Settings > Integrations): every workflow that sets none inherits it. */
export async function setConnectionDefaultChannel(db: Db, caller: Caller, raw: unknown, catalog: ProviderLookup): Promise<ConnectionSummary> {
  const input = defaultChannelSchema.parse(raw);
  const row = await findManageable(db, caller, input.id);
  const provider = providerOf(catalog, row.appId);
  const defaultChannel = channelFor(provider, input.defaultChannel);
  return db.$transaction(async (tx) => {
    const updated = await tx.credential.update({ where: { id: row.id }, data: { defaultChannel } });
    await audit(tx, auditActor(caller), "connection.default_channel", "connection", row.id, {
      app: row.appId,
      account: row.displayName,
      from: row.defaultChannel ?? "none",
      to: defaultChannel ?? "none",
    });
    return summarize(updated);
  });
}

/** A workflow that sets something of its own for an app, as Settings > Integrations lists it. */
export type WorkflowOverride = {
  workflowId: string;
  workflowName: string;
  appId: string;
  connectionId: string | null;
  defaultChannel: string | null;
  paused: boolean;
};

export async function listWorkflowOverrides(db: Db, caller: Caller): Promise<WorkflowOverride[]> {
  const rows = await db.workflowConnection.findMany({
    where: { companyId: caller.companyId, workflow: { deletedAt: null } },
    include: { workflow: { select: { name: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((row) => ({
    workflowId: row.workflowId,
    workflowName: row.workflow.name,
    appId: row.appId,
    connectionId: row.credentialId,
    defaultChannel: row.defaultChannel,
    paused: row.paused,
  }));
}
