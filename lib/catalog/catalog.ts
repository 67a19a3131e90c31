import type { AnyAction, AnyIntegration, ProviderLookup } from "@/lib/integrations/types";
import { actionNodeType, providerNodeTypes } from "@/lib/integrations/action-node-types";
import { createNodeCatalog, type NodeCatalog, type NodeTypeSpec } from "@/lib/workflow/node-types";
import type { TriggerTypeSpec } from "@/lib/workflow/trigger-types";

export type CatalogLists = {
  /** Control and core node types; provider actions are added from `providers`. */
  nodeTypes: readonly NodeTypeSpec[];
  triggerTypes: readonly TriggerTypeSpec[];
  providers: readonly AnyIntegration[];
};

export type Catalog = NodeCatalog &
  ProviderLookup & {
    /** "slack.send_message" → its provider and action. */
    action(nodeType: string): { provider: AnyIntegration; action: AnyAction } | undefined;
    lists: CatalogLists;
  };

export function createCatalog(lists: CatalogLists): Catalog {
  const nodes = createNodeCatalog({
    nodeTypes: [...lists.nodeTypes, ...lists.providers.flatMap(providerNodeTypes)],
    triggerTypes: [...lists.triggerTypes, ...lists.providers.flatMap((provider) => provider.triggers)],
  });
  const byId = new Map(lists.providers.map((provider) => [provider.id, provider]));
  if (byId.size !== lists.providers.length) throw new Error("A provider is listed twice");
  const actions = new Map(
    lists.providers.flatMap((provider) => provider.actions.map((action) => [actionNodeType(provider, action), { provider, action }] as const)),
  );
  return {
    ...nodes,
    providers: lists.providers,
    provider: (id) => byId.get(id),
    action: (nodeType) => actions.get(nodeType),
    lists,
  };
}
