import { z } from "zod";
import { audit, auditActor } from "@/lib/audit";
import { requireRole, type Caller } from "@/lib/auth/roles";
import type { Db } from "@/lib/db";
import { AppError, notFound, type FieldIssue } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import type { NodeCatalog } from "./node-types";
import { companyPolicySchema, isGoverned, readCompanyPolicy, readWorkflowPolicy, workflowPolicySchema, type CompanyPolicy } from "./policy";

// Settings > Policy: reading and changing the company's policy and the workflows' allowlists
// (owners and admins). What the policy means, and how runs apply it, is ./policy.ts.

export const setWorkflowPolicySchema = z.object({
  workflowId: z.string().min(1).max(64),
  /** null: the workflow follows the company's policy alone. */
  policy: workflowPolicySchema.nullable(),
});

export type PolicyGroup = { category: string; actions: { type: string; label: string }[] };
export type PolicySettings = {
  company: CompanyPolicy;
  workflows: { id: string; name: string; allow: string[] | null }[];
  /** What a policy can name: each category of governed node types (a provider's id, "core") with its actions. */
  groups: PolicyGroup[];
};

export function policyGroups(catalog: NodeCatalog): PolicyGroup[] {
  const groups = new Map<string, PolicyGroup>();
  for (const type of catalog.list().filter(isGoverned)) {
    const group = groups.get(type.category) ?? { category: type.category, actions: [] };
    group.actions.push({ type: type.type, label: type.label });
    groups.set(type.category, group);
  }
  return [...groups.values()];
}

/** Names that are neither a governed category nor a governed node type are refused, each at its place. */
function checkNames(catalog: NodeCatalog, lists: Record<string, string[]>) {
  const groups = policyGroups(catalog);
  const categories = new Set(groups.map((group) => group.category));
  const types = new Set(groups.flatMap((group) => group.actions.map((action) => action.type)));
  const issues: FieldIssue[] = Object.entries(lists).flatMap(([field, names]) =>
    names.flatMap((name, index) =>
      categories.has(name) || types.has(name) ? [] : [{ path: [field, index], message: `"${name}" is neither a provider nor an action of the catalog` }],
    ),
  );
  if (issues.length > 0) throw new AppError("validation_failed", "The policy names providers or actions that do not exist", { issues });
}

export async function getPolicySettings(db: Db, catalog: NodeCatalog, caller: Caller): Promise<PolicySettings> {
  requireRole(caller, "admin");
  const [company, workflows] = await Promise.all([
    db.company.findUniqueOrThrow({ where: { id: caller.companyId }, select: { policy: true } }),
    db.workflow.findMany({
      where: { companyId: caller.companyId, deletedAt: null },
      select: { id: true, name: true, policy: true },
      orderBy: { name: "asc" },
    }),
  ]);
  return {
    company: readCompanyPolicy(company.policy),
    workflows: workflows.map((w) => ({ id: w.id, name: w.name, allow: readWorkflowPolicy(w.policy)?.allow ?? null })),
    groups: policyGroups(catalog),
  };
}

const unique = (names: string[]) => [...new Set(names)].sort();

/** Replaces the company's policy. Runs already created keep the policy they started with. */
export async function setCompanyPolicy(db: Db, catalog: NodeCatalog, caller: Caller, raw: unknown): Promise<CompanyPolicy> {
  requireRole(caller, "admin");
  const input = companyPolicySchema.strict().parse(raw);
  checkNames(catalog, input);
  const policy = { blockedProviders: unique(input.blockedProviders), blockedActions: unique(input.blockedActions) };
  await db.$transaction(async (tx) => {
    const before = readCompanyPolicy((await tx.company.findUniqueOrThrow({ where: { id: caller.companyId }, select: { policy: true } })).policy);
    await tx.company.update({ where: { id: caller.companyId }, data: { policy } });
    await audit(tx, auditActor(caller), "policy.changed", "company", caller.companyId, { from: before, to: policy });
  });
  return policy;
}

/** Sets or clears one workflow's allowlist. */
export async function setWorkflowPolicy(db: Db, catalog: NodeCatalog, caller: Caller, raw: unknown): Promise<{ allow: string[] | null }> {
  requireRole(caller, "admin");
  const { workflowId, policy } = setWorkflowPolicySchema.parse(raw);
  if (policy) checkNames(catalog, { allow: policy.allow });
  const allow = policy ? unique(policy.allow) : null;
  await db.$transaction(async (tx) => {
    const workflow = await tx.workflow.findFirst({ where: { id: workflowId, companyId: caller.companyId, deletedAt: null }, select: { policy: true } });
    if (!workflow) throw notFound("Workflow");
    await tx.workflow.update({ where: { id: workflowId }, data: { policy: allow ? { allow } : Prisma.DbNull } });
    await audit(tx, auditActor(caller), "workflow.policy_changed", "workflow", workflowId, {
      from: readWorkflowPolicy(workflow.policy)?.allow ?? null,
      to: allow,
    });
  });
  return { allow };
}
