import { TRIGGER_ID, type WorkflowDefinition, type WorkflowNode } from "./definition";
import { jsonEqual } from "./json";

// What publishing a draft would change, for the "review changes" view: node ids added, removed
// and changed. Moving a node on the canvas is not a change; rewiring its outgoing edges is.
// Pass loaded definitions (loadDefinition), so configs are compared at the same version.

export type DefinitionDiff = { added: string[]; removed: string[]; changed: string[]; triggerChanged: boolean };

export function summarizeDiff(before: WorkflowDefinition, after: WorkflowDefinition): DefinitionDiff {
  const old = new Map(before.nodes.map((node) => [node.id, node]));
  const current = new Map(after.nodes.map((node) => [node.id, node]));
  const oldWiring = wiringBySource(before);
  const newWiring = wiringBySource(after);
  const behaviour = ({ type, name, config, retry, connectionId, continueOnError }: WorkflowNode) => ({
    type,
    name,
    config,
    retry,
    connectionId,
    continueOnError,
  });
  const changed = after.nodes.filter((node) => {
    const previous = old.get(node.id);
    return previous !== undefined && (!jsonEqual(behaviour(previous), behaviour(node)) || !jsonEqual(oldWiring.get(node.id), newWiring.get(node.id)));
  });
  return {
    added: after.nodes.filter((node) => !old.has(node.id)).map((node) => node.id),
    removed: before.nodes.filter((node) => !current.has(node.id)).map((node) => node.id),
    changed: changed.map((node) => node.id),
    triggerChanged: !jsonEqual(before.trigger, after.trigger) || !jsonEqual(oldWiring.get(TRIGGER_ID), newWiring.get(TRIGGER_ID)),
  };
}

/** Each source's outgoing connections as sorted "handle→target.handle" strings; edge ids do not matter. */
function wiringBySource(definition: WorkflowDefinition): Map<string, string[]> {
  const wiring = new Map<string, string[]>();
  for (const edge of definition.edges) {
    const list = wiring.get(edge.source) ?? [];
    list.push(`${edge.sourceHandle}→${edge.target}.${edge.targetHandle}`);
    wiring.set(edge.source, list);
  }
  for (const list of wiring.values()) list.sort();
  return wiring;
}
