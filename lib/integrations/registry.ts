import { getNodeType, registerNodeTypes, type NodeTypeSpec } from "@/lib/workflow/node-types";
import { slack } from "@/lib/integrations/slack";
import type { AnyAction, Integration } from "@/lib/integrations/types";

// The integrations Flowline has: a static list. A new provider is one folder and one line here.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const integrations: readonly Integration<any>[] = [slack];

export function getIntegration(id: string): Integration<unknown> | undefined {
  return integrations.find((integration) => integration.id === id);
}

/** "slack.send_message" → the integration and its action. */
export function findAction(nodeType: string): { integration: Integration<unknown>; action: AnyAction } | undefined {
  const dot = nodeType.indexOf(".");
  if (dot < 0) return undefined;
  const integration = getIntegration(nodeType.slice(0, dot));
  const action = integration?.actions.find((a) => a.id === nodeType.slice(dot + 1));
  return integration && action ? { integration, action } : undefined;
}

export const actionNodeType = (integration: Pick<Integration, "id">, action: Pick<AnyAction, "id">) => `${integration.id}.${action.id}`;

/** Every action as a workflow node type: "<integration>.<action>", its config and output schemas, one "out" handle. */
export function integrationNodeTypes(): NodeTypeSpec[] {
  return integrations.flatMap((integration) =>
    integration.actions.map((action) => ({
      type: actionNodeType(integration, action),
      label: action.name,
      category: integration.id,
      description: action.description,
      version: 1,
      config: action.config,
      outputs: [{ id: "out" }],
      output: action.output,
    })),
  );
}

/**
 * Adds the integration actions to the node-type registry of lib/workflow. Idempotent (Next.js may
 * evaluate a module more than once), and run when this module is first imported: whatever
 * validates or runs definitions imports "@/lib/integrations/registry" once.
 */
export function registerIntegrationNodeTypes(): void {
  registerNodeTypes(integrationNodeTypes().filter((spec) => !getNodeType(spec.type)));
}

registerIntegrationNodeTypes();
