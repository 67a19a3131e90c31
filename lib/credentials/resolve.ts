import type { Db } from "@/lib/db";
import type { Credential } from "@/lib/generated/prisma/client";
import { WorkflowError } from "@/lib/workflow/errors";

// Which connection a step uses, decided when the step executes (never when the run was created),
// so a scheduled or resumed run picks up a profile switched in between:
//   1. the connection named on the node (company-owned, or owned by the person who started the run)
//   2. the workflow's own connection for the app (its installation scope, set on the workflow page)
//   3. that person's current profile for the app
//   4. the company default for the app
//   5. any of that person's connected connections for the app, most recent first
//   6. any of the company's connected connections for the app, most recent first
// A connection chosen explicitly (1–4) is used as it is: paused → E_CONNECTION_PAUSED, needs
// attention → E_CREDENTIAL_INVALID, so a run never silently switches to another account.
// The fallbacks (5–6) only consider connections whose status is "connected".
// A workflow that paused the app (its scope's pause) stops there, whichever connection it would
// use; a connection paused for the company stops every workflow that uses it.

export type ResolveRequest = {
  companyId: string;
  /** Who started the run; null for runs nobody started (schedule, webhook): steps 2 and 4 are skipped. */
  userId: string | null;
  app: { id: string; name: string };
  connectionId?: string | null;
  /** The run's workflow (or the run, to find it by): its installation scope for the app (connection, default channel, pause) applies. */
  workflowId?: string | null;
  runId?: string | null;
};

export type ResolvedBy = "node" | "workflow" | "user_profile" | "company_default" | "user_fallback" | "company_fallback";

/** A workflow's installation scope for one app, as resolution reads it. */
export type WorkflowScope = { credentialId: string | null; defaultChannel: string | null; paused: boolean };

export type Resolution = {
  credential: Credential;
  by: ResolvedBy;
  /** Where a step that leaves its channel empty goes: the workflow's, else the connection's (not for a node's own connection). */
  defaults: { channel: string | null };
};

export async function workflowScope(db: Db, request: Pick<ResolveRequest, "companyId" | "workflowId" | "runId" | "app">): Promise<WorkflowScope | null> {
  const workflow = request.workflowId ? { workflowId: request.workflowId } : request.runId ? { workflow: { runs: { some: { id: request.runId } } } } : null;
  if (!workflow) return null;
  return db.workflowConnection.findFirst({
    where: { ...workflow, appId: request.app.id, companyId: request.companyId },
    select: { credentialId: true, defaultChannel: true, paused: true },
  });
}

/** A connection a run may use by id (a node's or a workflow's choice): the company's, or its starter's own. */
async function chosen(db: Db, request: ResolveRequest, id: string, where: "step" | "workflow"): Promise<Credential> {
  const { companyId, userId, app } = request;
  const row = await db.credential.findUnique({ where: { id } });
  const usable = row && row.appId === app.id && (row.companyId === companyId || (userId !== null && row.userId === userId));
  if (!usable) {
    throw new WorkflowError("E_CREDENTIAL_MISSING", {
      message: `The ${app.name} connection chosen on this ${where} does not exist or is not available to this run`,
      remediation:
        where === "step"
          ? `Choose another ${app.name} connection on the step, or connect ${app.name} in Settings > Integrations`
          : `Choose another ${app.name} connection in the workflow's Connections, or let it use the company's`,
    });
  }
  return row;
}

export async function findCredential(db: Db, request: ResolveRequest, scope?: WorkflowScope | null): Promise<Resolution | null> {
  const { companyId, userId, app } = request;
  const ownScope = scope === undefined ? await workflowScope(db, request) : scope;
  const withDefaults = (credential: Credential, by: ResolvedBy): Resolution => ({
    credential,
    by,
    defaults: { channel: (by === "node" ? null : ownScope?.defaultChannel) ?? credential.defaultChannel ?? null },
  });
  if (request.connectionId) return withDefaults(await chosen(db, request, request.connectionId, "step"), "node");
  if (ownScope?.credentialId) return withDefaults(await chosen(db, request, ownScope.credentialId, "workflow"), "workflow");
  const newestFirst = { createdAt: "desc" as const };
  if (userId) {
    const profile = await db.credential.findFirst({ where: { userId, appId: app.id, isUserCurrentProfile: true }, orderBy: newestFirst });
    if (profile) return withDefaults(profile, "user_profile");
  }
  const companyDefault = await db.credential.findFirst({ where: { companyId, appId: app.id, isTeamDefaultProfile: true }, orderBy: newestFirst });
  if (companyDefault) return withDefaults(companyDefault, "company_default");
  if (userId) {
    const mine = await db.credential.findFirst({ where: { userId, appId: app.id, status: "connected" }, orderBy: newestFirst });
    if (mine) return withDefaults(mine, "user_fallback");
  }
  const theirs = await db.credential.findFirst({ where: { companyId, appId: app.id, status: "connected" }, orderBy: newestFirst });
  if (theirs) return withDefaults(theirs, "company_fallback");
  return null;
}

/** The connection to use now, or the taxonomy error that says what to do. */
export async function resolveCredential(db: Db, request: ResolveRequest): Promise<Resolution> {
  const name = request.app.name;
  const scope = await workflowScope(db, request);
  if (scope?.paused) {
    throw new WorkflowError("E_CONNECTION_PAUSED", {
      message: `${name} is paused on this workflow`,
      remediation: `Resume ${name} in the workflow's Connections, then replay the run`,
      details: { app: request.app.id },
    });
  }
  const found = await findCredential(db, request, scope);
  if (!found) {
    throw new WorkflowError("E_CREDENTIAL_MISSING", {
      message: `No ${name} account is connected for this step`,
      remediation: `Connect ${name} in Settings > Integrations`,
      details: { app: request.app.id },
    });
  }
  const { credential } = found;
  if (credential.status === "paused") {
    throw new WorkflowError("E_CONNECTION_PAUSED", {
      message: `The ${name} connection "${credential.displayName}" is paused for the company`,
      remediation: `Resume it in Settings > Integrations, then replay the run`,
      details: { app: request.app.id, connectionId: credential.id },
    });
  }
  if (credential.status === "needs_attention") {
    throw new WorkflowError("E_CREDENTIAL_INVALID", {
      message: `The ${name} connection "${credential.displayName}" needs attention: ${name} rejected its credentials`,
      remediation: `Reconnect ${name} in Settings > Integrations`,
      details: { app: request.app.id, connectionId: credential.id },
    });
  }
  return found;
}
