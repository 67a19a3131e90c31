import { z } from "zod";
import type { WorkflowDefinition } from "./definition";
import { WorkflowError } from "./errors";
import type { NodeCatalog, NodeType } from "./node-types";
import type { Problem } from "./problems";

// What a company's workflows may do. The company blocks providers or single actions (everything
// is allowed by default, so a provider added later is allowed until someone blocks it); a
// workflow may narrow that to an allowlist of providers and actions. A run is created with the
// policy in force then (its snapshot), and its steps are checked against that snapshot only, so
// a change later does not alter a run that already started. Control nodes (IF, LOOP, WAIT,
// APPROVAL) are the engine's own flow and are never blocked; every other node type is governed by
// its category: the provider of an action ("slack"), "core" for core nodes.

const entry = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .regex(/^[a-z0-9_-]+(\.[a-z0-9_]+)?$/, 'a provider ("slack") or an action ("slack.send_message")');

export const companyPolicySchema = z.object({
  /** Providers none of whose actions may run ("slack"). */
  blockedProviders: z.array(entry).max(200).default([]),
  /** Single actions that may not run ("slack.upload_file"). */
  blockedActions: z.array(entry).max(2000).default([]),
});
export type CompanyPolicy = z.output<typeof companyPolicySchema>;

export const workflowPolicySchema = z.object({
  /** Providers ("slack": all its actions) and actions ("slack.send_message") this workflow may use; nothing else. */
  allow: z.array(entry).max(2000),
});
export type WorkflowPolicy = z.output<typeof workflowPolicySchema>;

/** What a run carries (WorkflowRun.policy): the company's policy and the workflow's allowlist as they were at its start. */
export const policySnapshotSchema = z.object({ company: companyPolicySchema, workflow: workflowPolicySchema.nullable() });
export type PolicySnapshot = z.output<typeof policySnapshotSchema>;

export const allowEverything: CompanyPolicy = { blockedProviders: [], blockedActions: [] };

/** The company's stored policy (Company.policy); anything unreadable counts as no restriction, as before policies existed. */
export function readCompanyPolicy(stored: unknown): CompanyPolicy {
  const parsed = companyPolicySchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : allowEverything;
}
export function readWorkflowPolicy(stored: unknown): WorkflowPolicy | null {
  if (stored === null || stored === undefined) return null;
  const parsed = workflowPolicySchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/**
 * The snapshot a new run stores, from the two stored columns: every place that creates a run row
 * (runs.ts start and replay, the trigger intake) reads Company.policy and Workflow.policy in the
 * query it already makes and passes them here.
 */
export function snapshotPolicy(companyPolicy: unknown, workflowPolicy: unknown): PolicySnapshot {
  return { company: readCompanyPolicy(companyPolicy), workflow: readWorkflowPolicy(workflowPolicy) };
}

/** The Prisma select, on a Workflow, of both stored columns snapshotPolicy takes. */
export const policySelect = { policy: true, company: { select: { policy: true } } } as const;

/** A run's stored snapshot; null for runs made before policies, which nothing blocks. */
export function readSnapshot(stored: unknown): PolicySnapshot | null {
  if (stored === null || stored === undefined) return null;
  const parsed = policySnapshotSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

export const isGoverned = (type: Pick<NodeType, "category">) => type.category !== "control";

/** Why the policy blocks a node type, or null when it allows it. */
export function blockedReason(policy: PolicySnapshot, type: Pick<NodeType, "type" | "category">): string | null {
  if (!isGoverned(type)) return null;
  const provider = type.category;
  if (policy.company.blockedProviders.includes(provider)) return `the company blocks every ${provider} action`;
  if (policy.company.blockedActions.includes(type.type)) return `the company blocks ${type.type}`;
  if (policy.workflow && !policy.workflow.allow.includes(provider) && !policy.workflow.allow.includes(type.type)) {
    return `${type.type} is not on this workflow's allowlist`;
  }
  return null;
}

/** The step's failure when its type is blocked (E_POLICY_BLOCKED, not retryable). */
export function policyBlockedError(type: Pick<NodeType, "type" | "label" | "category">, reason: string, nodeId: string): WorkflowError {
  return new WorkflowError("E_POLICY_BLOCKED", {
    message: `The policy does not allow "${type.label}" (${type.type}): ${reason}`,
    remediation: `An admin can allow ${type.type} in Settings > Policy`,
    nodeId,
    details: { nodeType: type.type },
  });
}

/** The nodes of a definition the policy blocks, as warnings (publish shows them; the run would fail there). */
export function policyProblems(definition: WorkflowDefinition, catalog: NodeCatalog, policy: PolicySnapshot): Problem[] {
  return definition.nodes.flatMap((node, index) => {
    const type = catalog.get(node.type);
    const reason = type && blockedReason(policy, type);
    if (!type || !reason) return [];
    return [
      {
        severity: "warning" as const,
        code: "policy_blocked",
        message: `"${node.name ?? node.id}" will fail: ${reason}. An admin can allow ${type.type} in Settings > Policy`,
        nodeId: node.id,
        path: ["nodes", index, "type"],
      },
    ];
  });
}
