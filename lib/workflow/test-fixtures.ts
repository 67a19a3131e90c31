import type { WorkflowDefinitionInput } from "./definition";
import { WorkflowError } from "./errors";

// Builders for definitions in tests and benchmarks: terse to write, valid unless told otherwise.

type NodeInput = WorkflowDefinitionInput["nodes"] extends (infer N)[] | undefined ? N : never;
type EdgeInput = WorkflowDefinitionInput["edges"] extends (infer E)[] | undefined ? E : never;

export function node(id: string, type = "core.noop", config: Record<string, unknown> = {}, extra: Partial<NodeInput> = {}): NodeInput {
  return { id, type, name: id, config, position: { x: 0, y: 0 }, ...extra };
}

/** "a→b", "a:true→b", "a→b:in" */
export function edge(spec: string, id?: string): EdgeInput {
  const [from = "", to = ""] = spec.split("→");
  const [source = "", sourceHandle = "out"] = from.split(":");
  const [target = "", targetHandle = "in"] = to.split(":");
  return { id: id ?? spec, source, sourceHandle, target, targetHandle };
}

export function definition(nodes: NodeInput[], edges: (string | EdgeInput)[]): WorkflowDefinitionInput {
  return { trigger: { type: "manual", config: {} }, nodes, edges: edges.map((e) => (typeof e === "string" ? edge(e) : e)) };
}

/**
 * A realistic definition of about `size` nodes: a chain of noops, IFs and loops whose configs read
 * earlier steps, the shape the validation benchmark measures.
 */
export function largeDefinition(size: number): WorkflowDefinitionInput {
  const nodes: NodeInput[] = [];
  const edges: string[] = [];
  let previous = "trigger";
  for (let i = 0; nodes.length < size; i++) {
    const id = `n${i}`;
    const reads = previous === "trigger" ? "{{trigger.payload.value}}" : `{{step.${previous}.output.value}}`;
    if (i % 10 === 5) {
      nodes.push(
        node(id, "control.if", {
          condition: {
            all: [
              { op: "gt", left: reads, right: 3 },
              { op: "exists", left: "{{run.id}}" },
            ],
          },
        }),
      );
      nodes.push(node(`${id}f`, "core.noop", { value: "skipped" }));
      edges.push(`${previous}→${id}`, `${id}:false→${id}f`);
      const next = `${id}t`;
      nodes.push(node(next, "core.noop", { value: `yes ${reads}` }));
      edges.push(`${id}:true→${next}`);
      previous = next;
    } else if (i % 10 === 8) {
      nodes.push(node(id, "control.loop", { items: "{{trigger.payload.items}}" }));
      nodes.push(node(`${id}b`, "core.noop", { value: "{{loop.item.name}} #{{loop.index}}" }));
      edges.push(`${previous}→${id}`, `${id}:body→${id}b`);
      const next = `${id}d`;
      nodes.push(node(next, "core.noop", { value: `{{step.${id}.output.iterations}}` }));
      edges.push(`${id}:done→${next}`);
      previous = next;
    } else {
      nodes.push(node(id, "core.noop", { value: { text: `step ${i}: ${reads}`, list: [reads, 1, true] } }));
      edges.push(`${previous}→${id}`);
      previous = id;
    }
  }
  return definition(nodes, edges);
}

/** Runs `run` and returns the WorkflowError it throws; fails the test when it throws nothing or something else. */
export function catchWorkflowError(run: () => unknown): WorkflowError {
  try {
    run();
  } catch (error) {
    if (error instanceof WorkflowError) return error;
    throw error;
  }
  throw new Error("Expected a WorkflowError, but nothing was thrown");
}
