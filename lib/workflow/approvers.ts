import { hasRole, type Caller, type Role } from "@/lib/auth/roles";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";

// Who may decide an approval. The APPROVAL step's `approvers` (after interpolation, as its step
// record holds them) name people by email or user id, roles as "role:<member|admin|owner>" (that
// role or a higher one), and API keys as "apikey:*" (any key of the company) or "apikey:<key name>".
// Without a list, anyone in the company decides, API keys included, as before lists were enforced.
// With a list, everyone not on it gets 403: an admin or owner is no exception (a four-eyes
// approval must hold against them), and an API key only when the list names keys.

export type Decider = { caller: Caller } | { token: string };
export type DecidedBy = { by: string; userId: string | null };
type OpenApproval = { runId: string; nodeId: string; iterationPath: string; linkApprover: string | null };
type Person = { kind: "person"; userId: string; email: string; role: Role };
type Key = { kind: "apikey"; name: string };

const ROLE_PREFIX = "role:";
const KEY_PREFIX = "apikey:";
const isRole = (value: string): value is Role => value === "member" || value === "admin" || value === "owner";

/** The step's resolved approvers, or null when anyone in the company may decide. */
async function approversOf(db: Db, approval: OpenApproval): Promise<string[] | null> {
  const step = await db.workflowRunStep.findFirst({
    where: { runId: approval.runId, nodeId: approval.nodeId, iterationPath: approval.iterationPath },
    orderBy: [{ startedAt: "desc" }, { attempt: "desc" }],
    select: { input: true },
  });
  // The step's record is written before its waitpoint; without it nobody can tell who may decide, so nobody does.
  if (!step)
    throw new AppError("conflict", "This approval's step is not recorded", { remediation: "Open the run: if it is still waiting, try again in a moment." });
  const listed = (step.input as { approvers?: unknown } | null)?.approvers;
  if (!Array.isArray(listed) || listed.length === 0) return null;
  // An expression that resolved to nothing leaves a blank entry: it names nobody (fail closed).
  return listed
    .filter((entry): entry is string => typeof entry === "string")
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** The rule itself: whether this person or key is on the list. */
export function isListed(approvers: readonly string[], who: Person | Key): boolean {
  return approvers.some((entry) => {
    const lower = entry.toLowerCase();
    if (who.kind === "apikey") return lower === `${KEY_PREFIX}*` || lower === `${KEY_PREFIX}${who.name.toLowerCase()}`;
    if (lower.startsWith(ROLE_PREFIX)) {
      const role = lower.slice(ROLE_PREFIX.length);
      return isRole(role) && hasRole(who.role, role);
    }
    return lower === who.email.toLowerCase() || entry === who.userId;
  });
}

const notAnApprover = (approvers: readonly string[]) =>
  new AppError("forbidden", "You are not one of this approval's approvers", {
    remediation: `Ask one of them to decide: ${approvers.join(", ") || "(the list resolved to nobody)"}`,
  });

async function personOf(db: Db, companyId: string, userId: string): Promise<Person | null> {
  const membership = await db.membership.findUnique({
    where: { companyId_userId: { companyId, userId } },
    select: { role: true, user: { select: { email: true } } },
  });
  return membership ? { kind: "person", userId, email: membership.user.email, role: membership.role } : null;
}

/**
 * Checks that the decider may decide this approval and says who decided, for the run page and the
 * audit log: a person's email, an API key's name, or the approver a signed link was made for.
 */
export async function authorizeDecision(db: Db, companyId: string, approval: OpenApproval, decider: Decider): Promise<DecidedBy> {
  const approvers = await approversOf(db, approval);
  if ("token" in decider) {
    // The link's approver was checked against the list when it was made; the list cannot change since.
    if (!approval.linkApprover) return { by: "signed link", userId: null };
    const user = await db.user.findUnique({ where: { email: approval.linkApprover }, select: { id: true } });
    return { by: `${approval.linkApprover} (signed link)`, userId: user?.id ?? null };
  }
  const { caller } = decider;
  if (caller.userId) {
    const person = await personOf(db, companyId, caller.userId);
    if (approvers && (!person || !isListed(approvers, person))) throw notAnApprover(approvers);
    return { by: person?.email ?? "a former member", userId: caller.userId };
  }
  const key = await db.apiKey.findUnique({ where: { id: caller.apiKeyId ?? "" }, select: { name: true } });
  if (approvers && (!key || !isListed(approvers, { kind: "apikey", name: key.name }))) throw notAnApprover(approvers);
  return { by: `API key ${key?.name ?? ""}`.trim(), userId: null };
}

/**
 * The approver a signed link is made for: it must be on the list (when there is one). With a
 * single person listed by email, the link is for them without saying so.
 */
export async function linkApproverFor(db: Db, companyId: string, approval: OpenApproval, requested: string | undefined): Promise<string | null> {
  const approvers = await approversOf(db, approval);
  const emails = approvers?.filter((entry) => entry.includes("@")) ?? [];
  const approver = requested?.trim().toLowerCase() || (emails.length === 1 && approvers!.length === 1 ? emails[0]!.toLowerCase() : undefined);
  if (!approvers) return approver ?? null;
  if (!approver) {
    // No field issue: the run page's link button has no approver field to show it next to, so the message says it all.
    throw new AppError("validation_failed", `Say which approver the link is for: one of ${approvers.join(", ")}`, {
      remediation: "A signed link decides as one named approver; with a single person on the list it is made for them.",
    });
  }
  const user = await db.user.findUnique({ where: { email: approver }, select: { id: true } });
  const member = user ? await personOf(db, companyId, user.id) : null;
  const listed = member ? isListed(approvers, member) : approvers.some((entry) => entry.toLowerCase() === approver);
  if (!listed)
    throw new AppError("forbidden", `${approver} is not one of this approval's approvers`, {
      remediation: `Make the link for one of: ${approvers.join(", ")}`,
    });
  return approver;
}
