import { loopNodeType } from "./control/loop";
import {
  definitionLimits,
  definitionSchema,
  edgeSchema,
  NODE_ID_PATTERN,
  nodeSchema,
  TRIGGER_ID,
  triggerSchema,
  type WorkflowEdge,
  type WorkflowNode,
  type WorkflowTrigger,
} from "./definition";
import { collectReferences, type TemplateReference } from "./interpolation";
import { isPlainObject, type JsonPath } from "./json";
import { migrateNodeConfig } from "./load-definition";
import { checkConfigSchema, checkNodeConfig, outputHandlesOf, triggerOutputs, type NodeCatalog, type NodeType, type OutputHandle } from "./node-types";
import { flattenIssues, type Problem, type ProblemCode, type ValidationMode } from "./problems";

// Save-time validation: returns every problem it can find (never only the first, never throws),
// so the editor can mark them all and an API client can fix them in one round.
// Linear-ish in the size of the definition: one pass per check, cycles by Tarjan's algorithm,
// "runs before" through ancestor bitsets built in topological order (n²/32 words at worst).

export type ValidateOptions = { mode: ValidationMode; catalog: NodeCatalog };

export function validateDefinition(input: unknown, options: ValidateOptions): Problem[] {
  const problems: Problem[] = [];
  const shape = readShape(input, problems);
  if (shape) new GraphCheck(shape, options.mode, options.catalog, problems).run();
  return problems;
}

type Indexed<T> = { value: T; index: number };
/** `valid: false` is a node that failed the schema but has a usable id: a vertex with no type. */
type ShapeNode = Indexed<WorkflowNode> & { valid: boolean };
type Shape = { trigger: WorkflowTrigger | undefined; nodes: ShapeNode[]; edges: Indexed<WorkflowEdge>[] };

function readShape(input: unknown, problems: Problem[]): Shape | undefined {
  if (!isPlainObject(input)) {
    problems.push({ severity: "error", code: "invalid_definition", message: "A workflow definition must be a JSON object", path: [] });
    return undefined;
  }
  const sizes = [
    ["nodes", definitionLimits.maxNodes],
    ["edges", definitionLimits.maxEdges],
  ] as const;
  let oversized = false;
  for (const [key, limit] of sizes) {
    const list = input[key];
    if (Array.isArray(list) && list.length > limit) {
      oversized = true;
      problems.push({
        severity: "error",
        code: "invalid_definition",
        message: `A workflow has at most ${limit} ${key}; this one has ${list.length}`,
        path: [key],
      });
    }
  }
  // An oversized definition is refused anyway; not looking further bounds the work it can cause.
  if (oversized) return undefined;

  const parsed = definitionSchema.safeParse(input, { reportInput: true });
  if (parsed.success) {
    return {
      trigger: parsed.data.trigger,
      nodes: parsed.data.nodes.map((value, index) => ({ value, index, valid: true })),
      edges: parsed.data.edges.map((value, index) => ({ value, index })),
    };
  }
  for (const { path, message } of flattenIssues(parsed.error.issues)) {
    const nodeId = path[0] === "nodes" && typeof path[1] === "number" ? idOf(input["nodes"], path[1]) : undefined;
    const edgeId = path[0] === "edges" && typeof path[1] === "number" ? idOf(input["edges"], path[1]) : undefined;
    problems.push({ severity: "error", code: "invalid_definition", message, path, ...(nodeId ? { nodeId } : {}), ...(edgeId ? { edgeId } : {}) });
  }
  // The graph checks still run on the nodes and edges that parsed, so one bad field hides nothing.
  const trigger = triggerSchema.safeParse(input["trigger"]);
  return { trigger: trigger.success ? trigger.data : undefined, nodes: salvageNodes(input["nodes"]), edges: salvageEdges(input["edges"]) };
}

function idOf(list: unknown, index: number): string | undefined {
  const item: unknown = Array.isArray(list) ? list[index] : undefined;
  return isPlainObject(item) && typeof item["id"] === "string" ? item["id"] : undefined;
}

// A broken node with a usable id stays in the graph: otherwise its edges would read as dangling
// and everything after it as unreachable.
function salvageNodes(list: unknown): ShapeNode[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown, index): ShapeNode[] => {
    const result = nodeSchema.safeParse(item);
    if (result.success) return [{ value: result.data, index, valid: true }];
    const id = isPlainObject(item) ? item["id"] : undefined;
    if (typeof id !== "string" || !NODE_ID_PATTERN.test(id) || id === TRIGGER_ID) return [];
    return [{ value: { id, type: "", name: id, config: {}, position: { x: 0, y: 0 } }, index, valid: false }];
  });
}

function salvageEdges(list: unknown): Indexed<WorkflowEdge>[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown, index) => {
    const result = edgeSchema.safeParse(item);
    return result.success ? [{ value: result.data, index }] : [];
  });
}

type Link = { from: number; to: number; handle: string; edge: Indexed<WorkflowEdge> };

/** The graph as vertices 0..n-1 (nodes, in definition order) plus n, the trigger. */
class GraphCheck {
  private readonly nodes: ShapeNode[] = [];
  private readonly types: (NodeType | undefined)[] = [];
  private readonly vertexOf = new Map<string, number>();
  private readonly outgoing: Link[][] = [];
  private readonly incoming: Link[][] = [];
  private trigger = 0;
  private hasCycle = false;
  /** For each loop vertex, which vertices form its body. */
  private readonly bodies = new Map<number, Uint8Array>();
  private inSomeBody = new Uint8Array(0);
  private ancestors: { words: number; bits: Uint32Array } | undefined;

  constructor(
    private readonly shape: Shape,
    private readonly mode: ValidationMode,
    private readonly catalog: NodeCatalog,
    private readonly problems: Problem[],
  ) {}

  run(): void {
    this.collectNodes();
    this.collectEdges();
    this.findCycles();
    this.findUnreachable();
    this.checkLoopBodies();
    for (const [vertex, node] of this.nodes.entries()) this.checkConfig(vertex, node);
    this.checkTrigger();
  }

  private checkTrigger(): void {
    const trigger = this.shape.trigger;
    if (!trigger) return;
    const spec = this.catalog.trigger(trigger.type);
    if (!spec) {
      const known = this.catalog
        .triggers()
        .map((t) => t.type)
        .join(", ");
      this.problems.push({
        severity: "error",
        code: "unknown_trigger_type",
        message: `Unknown trigger type "${trigger.type}" (one of: ${known})`,
        path: ["trigger", "type"],
      });
      return;
    }
    for (const problem of checkConfigSchema(spec.config, trigger.config, this.mode)) {
      this.problems.push({ ...problem, path: ["trigger", "config", ...problem.path] });
    }
  }

  private collectNodes(): void {
    for (const node of this.shape.nodes) {
      const { id, type } = node.value;
      if (this.vertexOf.has(id)) {
        this.nodeProblem("duplicate_node_id", node, ["id"], `Another node already has the id "${id}"`);
        continue;
      }
      const nodeType = node.valid ? this.catalog.get(type) : undefined;
      if (node.valid && !nodeType) this.nodeProblem("unknown_node_type", node, ["type"], `Unknown node type "${type}"`);
      this.vertexOf.set(id, this.nodes.length);
      this.nodes.push(node);
      this.types.push(nodeType);
    }
    this.trigger = this.nodes.length;
    this.vertexOf.set(TRIGGER_ID, this.trigger);
    for (let vertex = 0; vertex <= this.trigger; vertex++) {
      this.outgoing.push([]);
      this.incoming.push([]);
    }
  }

  private collectEdges(): void {
    const edgeIds = new Set<string>();
    const links = new Set<string>();
    const handleTaken = new Map<string, WorkflowEdge>();
    for (const edge of this.shape.edges) {
      const { id, source, sourceHandle, target, targetHandle } = edge.value;
      if (edgeIds.has(id)) {
        this.edgeProblem("duplicate_edge_id", edge, "id", `Another edge already has the id "${id}"`);
        continue;
      }
      edgeIds.add(id);
      const from = this.vertexOf.get(source);
      const to = target === TRIGGER_ID ? undefined : this.vertexOf.get(target);
      if (from === undefined) this.edgeProblem("unknown_edge_endpoint", edge, "source", `The edge starts at "${source}", which is not a node of this workflow`);
      if (to === undefined) {
        const message = target === TRIGGER_ID ? "No edge may lead into the trigger" : `The edge leads to "${target}", which is not a node of this workflow`;
        this.edgeProblem("unknown_edge_endpoint", edge, "target", message);
      }
      if (from === undefined || to === undefined) continue;

      const outputs = this.outputsOf(from);
      const handle = outputs?.find((output) => output.id === sourceHandle);
      if (outputs && !handle) {
        this.edgeProblem(
          "invalid_handle",
          edge,
          "sourceHandle",
          `"${source}" has no output "${sourceHandle}"; its outputs are ${listOf(outputs.map((output) => output.id))}`,
        );
      }
      const inputs = this.types[to]?.inputs;
      if (inputs && !inputs.includes(targetHandle)) {
        this.edgeProblem("invalid_handle", edge, "targetHandle", `"${target}" has no input "${targetHandle}"; its inputs are ${listOf(inputs)}`);
      }
      const link = [source, sourceHandle, target, targetHandle].join("\u0000");
      if (links.has(link)) {
        this.edgeProblem("duplicate_edge", edge, "target", `Another edge already connects "${source}" (${sourceHandle}) to "${target}"`);
        continue;
      }
      links.add(link);
      if (handle && !handle.multiple) {
        const key = `${source}\u0000${sourceHandle}`;
        const taken = handleTaken.get(key);
        if (taken) {
          this.edgeProblem(
            "handle_multiple_edges",
            edge,
            "sourceHandle",
            `Output "${sourceHandle}" of "${source}" already leads to "${taken.target}" (edge "${taken.id}"); it can have one edge. To branch, add a No-op node, whose output may fan out`,
          );
        } else handleTaken.set(key, edge.value);
      }
      const entry: Link = { from, to, handle: sourceHandle, edge };
      this.outgoing[from]?.push(entry);
      this.incoming[to]?.push(entry);
    }
  }

  private outputsOf(vertex: number): readonly OutputHandle[] | undefined {
    if (vertex === this.trigger) return triggerOutputs;
    const nodeType = this.types[vertex];
    const node = this.nodes[vertex];
    return nodeType && node ? outputHandlesOf(nodeType, node.value) : undefined;
  }

  /** Tarjan's strongly connected components, iteratively (no recursion depth to exhaust). */
  private findCycles(): void {
    const count = this.trigger + 1;
    const order = new Int32Array(count).fill(-1);
    const low = new Int32Array(count);
    const onStack = new Uint8Array(count);
    const stack: number[] = [];
    let counter = 0;
    for (let root = 0; root < count; root++) {
      if (order[root] !== -1) continue;
      const frames: { vertex: number; next: number }[] = [{ vertex: root, next: 0 }];
      order[root] = low[root] = counter++;
      stack.push(root);
      onStack[root] = 1;
      while (frames.length > 0) {
        const frame = frames[frames.length - 1]!;
        const link = this.outgoing[frame.vertex]?.[frame.next++];
        if (link) {
          if (order[link.to] === -1) {
            order[link.to] = low[link.to] = counter++;
            stack.push(link.to);
            onStack[link.to] = 1;
            frames.push({ vertex: link.to, next: 0 });
          } else if (onStack[link.to]) low[frame.vertex] = Math.min(low[frame.vertex]!, order[link.to]!);
          continue;
        }
        frames.pop();
        const parent = frames[frames.length - 1];
        if (parent) low[parent.vertex] = Math.min(low[parent.vertex]!, low[frame.vertex]!);
        if (low[frame.vertex] !== order[frame.vertex]) continue;
        const component: number[] = [];
        let member: number;
        do {
          member = stack.pop()!;
          onStack[member] = 0;
          component.push(member);
        } while (member !== frame.vertex);
        const selfLoop = this.outgoing[frame.vertex]?.some((l) => l.to === frame.vertex);
        if (component.length > 1 || selfLoop) this.reportCycle(component);
      }
    }
  }

  /** Names one cycle through the component: the shortest way from its first node back to it. */
  private reportCycle(component: number[]): void {
    this.hasCycle = true;
    const members = new Set(component);
    const start = Math.min(...component);
    const cameFrom = new Map<number, number>();
    const queue = [start];
    let last: number | undefined;
    for (let i = 0; i < queue.length && last === undefined; i++) {
      const vertex = queue[i]!;
      for (const { to } of this.outgoing[vertex] ?? []) {
        if (to === start) {
          last = vertex;
          break;
        }
        if (members.has(to) && !cameFrom.has(to)) {
          cameFrom.set(to, vertex);
          queue.push(to);
        }
      }
    }
    const cycle = [start];
    for (let vertex = last; vertex !== undefined && vertex !== start; vertex = cameFrom.get(vertex)) cycle.splice(1, 0, vertex);
    cycle.push(start);
    const ids = cycle.map((vertex) => this.nodes[vertex]?.value.id ?? TRIGGER_ID);
    const node = this.nodes[start]!;
    this.nodeProblem("cycle", node, [], `The workflow loops back on itself: ${ids.join(" → ")}. Use a Loop node to repeat steps`);
  }

  private findUnreachable(): void {
    const { reached } = this.reachableFrom(this.outgoing[this.trigger] ?? [], () => true);
    for (const [vertex, node] of this.nodes.entries()) {
      if (reached[vertex]) continue;
      const severity = this.mode === "strict" ? "error" : "warning";
      this.nodeProblem("unreachable_node", node, [], `"${node.value.id}" is not connected to the trigger, so it never runs`, severity);
    }
  }

  /** Breadth-first from the targets of `start` links that `follow` accepts. */
  private reachableFrom(start: Link[], follow: (link: Link) => boolean): { reached: Uint8Array; members: number[] } {
    const reached = new Uint8Array(this.trigger + 1);
    const members: number[] = [];
    for (const link of start) {
      if (follow(link) && !reached[link.to]) {
        reached[link.to] = 1;
        members.push(link.to);
      }
    }
    for (let i = 0; i < members.length; i++) {
      for (const link of this.outgoing[members[i]!] ?? []) {
        if (!reached[link.to]) {
          reached[link.to] = 1;
          members.push(link.to);
        }
      }
    }
    return { reached, members };
  }

  // A loop's body is what its "body" handle reaches. Those nodes run once per item, so nothing
  // outside the body may lead into them: that would run them outside the iteration too.
  private checkLoopBodies(): void {
    this.inSomeBody = new Uint8Array(this.trigger + 1);
    for (const [loop, node] of this.nodes.entries()) {
      if (node.value.type !== loopNodeType.type) continue;
      const { reached: body, members } = this.reachableFrom(this.outgoing[loop] ?? [], (link) => link.handle === "body");
      this.bodies.set(loop, body);
      for (const member of members) this.inSomeBody[member] = 1;
      if (body[loop]) continue; // the loop leads back to itself: reported as a cycle
      for (const member of members) {
        for (const link of this.incoming[member] ?? []) {
          if (body[link.from] || (link.from === loop && link.handle === "body")) continue;
          const from = this.nodes[link.from]?.value.id ?? TRIGGER_ID;
          this.edgeProblem(
            "loop_body_entered_from_outside",
            link.edge,
            "target",
            `"${this.nodes[member]?.value.id}" is in the body of loop "${node.value.id}" but is also reached from "${from}", outside the body. What runs after the loop belongs on its "done" branch`,
          );
        }
      }
    }
  }

  private checkConfig(vertex: number, node: ShapeNode): void {
    if (!node.valid) return;
    const nodeType = this.types[vertex];
    let config = node.value.config;
    if (nodeType) {
      const migration = migrateNodeConfig(nodeType, config);
      if (migration.ok) {
        config = migration.config;
        for (const problem of checkNodeConfig(nodeType, config, this.mode)) {
          this.problems.push({ ...problem, nodeId: node.value.id, path: ["nodes", node.index, "config", ...problem.path] });
        }
      } else this.nodeProblem(migration.code, node, ["config", "__v"], migration.message);
    }
    const references = collectReferences(config, {
      onError: (error, location) => this.nodeProblem("template_invalid", node, ["config", ...location], error.message),
    });
    for (const reference of references) this.checkReference(vertex, node, reference);
  }

  private checkReference(vertex: number, node: Indexed<WorkflowNode>, reference: TemplateReference): void {
    const at: JsonPath = ["config", ...reference.location];
    if (reference.root === "loop" && !this.inSomeBody[vertex]) {
      this.nodeProblem("loop_reference_outside_body", node, at, `${reference.expression} is only available to nodes inside a loop's body`);
    }
    if (reference.root !== "step" || reference.stepId === undefined) return;
    const target = this.vertexOf.get(reference.stepId);
    if (target === undefined || target === this.trigger) {
      this.nodeProblem("unknown_step_reference", node, at, `${reference.expression} reads step "${reference.stepId}", which is not in this workflow`);
    } else if (this.bodies.get(target)?.[vertex]) {
      this.nodeProblem(
        "loop_output_in_body",
        node,
        at,
        `${reference.expression} reads the output of loop "${reference.stepId}" inside its own body, where it is not ready yet; use {{loop.item}} or {{loop.index}}`,
      );
    } else if (!this.hasCycle && !this.runsBefore(target, vertex)) {
      this.nodeProblem(
        "step_not_upstream",
        node,
        at,
        `${reference.expression} reads step "${reference.stepId}", which does not run before "${node.value.id}". Connect it upstream of this node`,
      );
    }
  }

  /** Whether `ancestor` is on some path from the trigger to `vertex`. Only asked of acyclic graphs. */
  private runsBefore(ancestor: number, vertex: number): boolean {
    this.ancestors ??= this.buildAncestors();
    const { words, bits } = this.ancestors;
    return ((bits[vertex * words + (ancestor >>> 5)]! >>> (ancestor & 31)) & 1) === 1;
  }

  private buildAncestors(): { words: number; bits: Uint32Array } {
    const count = this.trigger + 1;
    const words = Math.ceil(count / 32);
    const bits = new Uint32Array(count * words);
    // Kahn's topological order, so every vertex is complete before its successors read it.
    const waiting = this.incoming.map((links) => links.length);
    const queue = waiting.flatMap((n, vertex) => (n === 0 ? [vertex] : []));
    for (let i = 0; i < queue.length; i++) {
      const vertex = queue[i]!;
      for (const { from } of this.incoming[vertex] ?? []) {
        for (let w = 0; w < words; w++) bits[vertex * words + w]! |= bits[from * words + w]!;
        bits[vertex * words + (from >>> 5)]! |= 1 << (from & 31);
      }
      for (const { to } of this.outgoing[vertex] ?? []) if (--waiting[to]! === 0) queue.push(to);
    }
    return { words, bits };
  }

  private nodeProblem(code: ProblemCode, node: Indexed<WorkflowNode>, path: JsonPath, message: string, severity: Problem["severity"] = "error"): void {
    this.problems.push({ severity, code, message, nodeId: node.value.id, path: ["nodes", node.index, ...path] });
  }

  private edgeProblem(code: ProblemCode, edge: Indexed<WorkflowEdge>, field: keyof WorkflowEdge, message: string): void {
    this.problems.push({ severity: "error", code, message, edgeId: edge.value.id, path: ["edges", edge.index, field] });
  }
}

function listOf(items: readonly string[]): string {
  return items.length === 0 ? "none" : items.map((item) => `"${item}"`).join(", ");
}
