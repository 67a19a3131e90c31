import type { Db } from "@/lib/db";
import type { Credential } from "@/lib/generated/prisma/client";
import { WorkflowError } from "@/lib/workflow/errors";

// Which connection a step uses, decided when the step executes (never when the run was created),
// so a scheduled or resumed run picks up a profile switched in between:
//   1. the connection named on the node (company-owned, or owned by the person who started the run)
//   2. that person's current profile for the app
//   3. the company default for the app
//   4. any of that person's connected connections for the app, most recent first
//   5. any of the company's connected connections for the app, most recent first
// A connection chosen explicitly (1–3) is used as it is: paused → E_CONNECTION_PAUSED, needs
// attention → E_CREDENTIAL_INVALID, so a run never silently switches to another account.
// The fallbacks (4–5) only consider connections whose status is "connected".

export type ResolveRequest = {
  companyId: string;
  /** Who started the run; null for runs nobody started (schedule, webhook): steps 2 and 4 are skipped. */
  userId: string | null;
  app: { id: string; name: string };
  connectionId?: string | null;
};

export type ResolvedBy = "node" | "user_profile" | "company_default" | "user_fallback" | "company_fallback";

export async function findCredential(db: Db, request: ResolveRequest): Promise<{ credential: Credential; by: ResolvedBy } | null> {
  const { companyId, userId, app } = request;
  if (request.connectionId) {
    const row = await db.credential.findUnique({ where: { id: request.connectionId } });
    const usable = row && row.appId === app.id && (row.companyId === companyId || (userId !== null && row.userId === userId));
    if (!usable) {
      throw new WorkflowError("E_CREDENTIAL_MISSING", {
        message: `The ${app.name} connection chosen on this step does not exist or is not available to this run`,
        remediation: `Choose another ${app.name} connection on the step, or connect ${app.name} in Settings > Integrations`,
      });
    }
    return { credential: row, by: "node" };
  }
  const newestFirst = { createdAt: "desc" as const };
  if (userId) {
    const profile = await db.credential.findFirst({ where: { userId, appId: app.id, isUserCurrentProfile: true }, orderBy: newestFirst });
    if (profile) return { credential: profile, by: "user_profile" };
  }
  const companyDefault = await db.credential.findFirst({ where: { companyId, appId: app.id, isTeamDefaultProfile: true }, orderBy: newestFirst });
  if (companyDefault) return { credential: companyDefault, by: "company_default" };
  if (userId) {
    const mine = await db.credential.findFirst({ where: { userId, appId: app.id, status: "connected" }, orderBy: newestFirst });
    if (mine) return { credential: mine, by: "user_fallback" };
  }
  const theirs = await db.credential.findFirst({ where: { companyId, appId: app.id, status: "connected" }, orderBy: newestFirst });
  if (theirs) return { credential: theirs, by: "company_fallback" };
  return null;
}

/** The connection to use now, or the taxonomy error that says what to do. */
export async function resolveCredential(db: Db, request: ResolveRequest): Promise<{ credential: Credential; by: ResolvedBy }> {
  const found = await findCredential(db, request);
  const name = request.app.name;
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
      message: `The ${name} connection "${credential.displayName}" is paused`,
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
