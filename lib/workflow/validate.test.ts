import { describe, expect, it } from "vitest";
import { catalog } from "@/lib/catalog";
import type { Problem, ValidationMode } from "./problems";
import { definition, edge, largeDefinition, node } from "./test-fixtures";
import { validateDefinition } from "./validate";

const validate = (input: unknown, mode: ValidationMode = "strict") => validateDefinition(input, { mode, catalog });
/** "severity code nodeId|edgeId path" lines: compact to compare, and the order is the report's. */
const summary = (problems: Problem[]) => problems.map((p) => `${p.severity} ${p.code} ${p.nodeId ?? p.edgeId ?? "-"} ${p.path.join(".")}`);
const codes = (problems: Problem[]) => problems.map((p) => p.code);

const exists = (left: string) => ({ condition: { op: "exists", left } });

describe("validateDefinition", () => {
  it("accepts a well-formed definition with branches, joins, loops and references", () => {
    expect(validate(largeDefinition(120))).toEqual([]);
    const join = definition(
      [
        node("check", "control.if", exists("{{trigger.payload.a}}")),
        node("yes"),
        node("no"),
        node("after", "core.noop", { value: "{{step.check.output.result}}" }),
      ],
      ["trigger→check", "check:true→yes", "check:false→no", "yes→after", "no→after"],
    );
    expect(validate(join)).toEqual([]);
  });

  it("reports a non-object as a single problem", () => {
    for (const input of [null, 42, "workflow", [], undefined]) {
      expect(summary(validate(input))).toEqual(["error invalid_definition - "]);
    }
  });

  it("maps shape issues to problems with paths and ids, and still checks the rest of the graph", () => {
    const input = definition(
      [node("a", "core.noop", {}, { position: { x: "left", y: 0 } as never }), node("b", "nope.type"), node("c")],
      ["trigger→a", "a→c", "trigger→b", { id: "bad", source: "a", target: 7 } as never],
    );
    expect(summary(validate(input))).toEqual([
      "error invalid_definition a nodes.0.position.x",
      "error invalid_definition bad edges.3.target",
      "error unknown_node_type b nodes.1.type",
    ]);
  });

  it("refuses more than 2000 nodes without looking further", () => {
    const input = definition(
      Array.from({ length: 2001 }, (_, i) => node(`n${i}`, "nope.type")),
      [],
    );
    expect(summary(validate(input))).toEqual(["error invalid_definition - nodes"]);
  });

  it("reports duplicate node ids and edge ids", () => {
    const input = definition([node("a"), node("a"), node("b")], [edge("trigger→a", "e1"), edge("a→b", "e1")]);
    expect(summary(validate(input))).toEqual([
      "error duplicate_node_id a nodes.1.id",
      "error duplicate_edge_id e1 edges.1.id",
      "error unreachable_node b nodes.2",
    ]);
  });

  it("reports unknown node types", () => {
    expect(summary(validate(definition([node("a", "slack.sendMesage")], ["trigger→a"])))).toEqual(["error unknown_node_type a nodes.0.type"]);
  });

  it("reports edges from or to nodes that do not exist, and edges into the trigger", () => {
    const input = definition([node("a")], ["trigger→a", "ghost→a", "a→nowhere", "a→trigger"]);
    expect(summary(validate(input))).toEqual([
      "error unknown_edge_endpoint ghost→a edges.1.source",
      "error unknown_edge_endpoint a→nowhere edges.2.target",
      "error unknown_edge_endpoint a→trigger edges.3.target",
    ]);
  });

  it("reports edges between handles the node types do not declare", () => {
    const input = definition(
      [node("check", "control.if", exists("{{trigger.payload.a}}")), node("b"), node("c"), node("d")],
      ["trigger→check", "check:maybe→b", "check:true→c:side", "check:error→d"],
    );
    const problems = validate(input);
    expect(summary(problems)).toEqual([
      "error invalid_handle check:maybe→b edges.1.sourceHandle",
      "error invalid_handle check:true→c:side edges.2.targetHandle",
      "error invalid_handle check:error→d edges.3.sourceHandle",
    ]);
    expect(problems[0]?.message).toContain('its outputs are "true", "false"');
  });

  it("accepts the error handle on a node that continues on error", () => {
    const input = definition(
      [node("a", "core.noop", {}, { continueOnError: true }), node("ok"), node("failed", "core.noop", { value: "{{step.a.error.message}}" })],
      ["trigger→a", "a→ok", "a:error→failed"],
    );
    expect(validate(input)).toEqual([]);
  });

  it("allows one edge per output handle, except where the handle fans out (trigger, core.noop)", () => {
    const input = definition(
      [node("check", "control.if", exists("{{trigger.payload.a}}")), node("b"), node("c"), node("d"), node("e")],
      ["trigger→check", "trigger→b", "check:true→c", "check:true→d", "b→e", "b→d"],
    );
    const problems = validate(input);
    expect(summary(problems)).toEqual(["error handle_multiple_edges check:true→d edges.3.sourceHandle"]);
    expect(problems[0]?.message).toContain('already leads to "c"');
  });

  it("reports the same connection drawn twice", () => {
    const input = definition([node("a"), node("b")], [edge("trigger→a", "e1"), edge("a→b", "e2"), edge("a→b", "e3")]);
    expect(summary(validate(input))).toEqual(["error duplicate_edge e3 edges.2.target"]);
  });

  it("names the nodes of every cycle", () => {
    const input = definition([node("a"), node("b"), node("c"), node("d"), node("s")], ["trigger→a", "a→b", "b→c", "c→a:in", "c→d", "trigger→s", "s→s"]);
    const problems = validate(input).filter((p) => p.code === "cycle");
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining("a → b → c → a"), expect.stringContaining("s → s")]);
  });

  it("reports nodes the trigger does not reach: a warning in a draft, an error when strict", () => {
    const input = definition([node("a"), node("island"), node("after")], ["trigger→a", "island→after"]);
    expect(summary(validate(input, "draft"))).toEqual(["warning unreachable_node island nodes.1", "warning unreachable_node after nodes.2"]);
    expect(summary(validate(input, "strict"))).toEqual(["error unreachable_node island nodes.1", "error unreachable_node after nodes.2"]);
  });

  it("checks configs: a missing field is a warning in a draft and an error when strict; a wrong value always an error", () => {
    const input = definition(
      [node("wait", "control.wait", {}), node("approve", "control.approval", { message: 42, timeoutMs: 60_000 })],
      ["trigger→wait", "wait→approve"],
    );
    expect(summary(validate(input, "draft"))).toEqual([
      "warning config_missing_field wait nodes.0.config.durationMs",
      "error config_invalid approve nodes.1.config.message",
    ]);
    expect(summary(validate(input, "strict"))).toEqual([
      "error config_missing_field wait nodes.0.config.durationMs",
      "error config_invalid approve nodes.1.config.message",
    ]);
  });

  it("reports configs saved by a newer version of their node type", () => {
    expect(summary(validate(definition([node("a", "control.if", { __v: 9 })], ["trigger→a"])))).toEqual([
      "error config_version_unsupported a nodes.0.config.__v",
    ]);
  });

  it("reports every malformed template with its place in the config", () => {
    const input = definition([node("a", "core.noop", { value: { text: "Hi {{ payload.name }}", list: ["{{ step. }}"] } })], ["trigger→a"]);
    const problems = validate(input);
    expect(summary(problems)).toEqual(["error template_invalid a nodes.0.config.value.text", "error template_invalid a nodes.0.config.value.list.0"]);
    expect(problems[0]?.message).toContain('unknown root "payload"');
  });

  it("reports references to steps that do not exist", () => {
    const input = definition([node("a", "core.noop", { value: "{{step.missing.output.x}}" })], ["trigger→a"]);
    const problems = validate(input);
    expect(summary(problems)).toEqual(["error unknown_step_reference a nodes.0.config.value"]);
    expect(problems[0]?.message).toContain('"missing"');
  });

  it("reports references to steps that do not run before the reader: later, on another branch, or itself", () => {
    const input = definition(
      [
        node("check", "control.if", exists("{{trigger.payload.a}}")),
        node("yes", "core.noop", { value: "{{step.no.output.value}}" }),
        node("no", "core.noop", { value: "{{step.no.output.value}}" }),
        node("first", "core.noop", { value: "{{step.last.output.value}}" }),
        node("last", "core.noop", { value: "{{step.first.output.value}} {{step.check.output.result}}" }),
      ],
      ["trigger→check", "check:true→yes", "check:false→no", "trigger→first", "first→last"],
    );
    expect(summary(validate(input))).toEqual([
      "error step_not_upstream yes nodes.1.config.value",
      "error step_not_upstream no nodes.2.config.value",
      "error step_not_upstream first nodes.3.config.value",
      "error step_not_upstream last nodes.4.config.value",
    ]);
  });

  it("reports {{loop.…}} outside a loop body, and accepts it inside, nested loops included", () => {
    const input = definition(
      [
        node("outer", "control.loop", { items: "{{trigger.payload.orders}}" }),
        node("inner", "control.loop", { items: "{{loop.item.lines}}" }),
        node("line", "core.noop", { value: "{{loop.item.sku}} at {{loop.index}}" }),
        node("after", "core.noop", { value: "{{loop.item}}" }),
      ],
      ["trigger→outer", "outer:body→inner", "inner:body→line", "outer:done→after"],
    );
    expect(summary(validate(input))).toEqual(["error loop_reference_outside_body after nodes.3.config.value"]);
  });

  it("reports a loop's own output read inside its body, and accepts it after done", () => {
    const input = definition(
      [
        node("each", "control.loop", { items: "{{trigger.payload.rows}}" }),
        node("inside", "core.noop", { value: "{{step.each.output.iterations}}" }),
        node("after", "core.noop", { value: "{{step.each.output.iterations}}" }),
        node("late", "core.noop", { value: "{{step.inside.output.value}}" }),
      ],
      ["trigger→each", "each:body→inside", "each:done→after", "after→late"],
    );
    expect(summary(validate(input))).toEqual(["error loop_output_in_body inside nodes.1.config.value", "error step_not_upstream late nodes.3.config.value"]);
  });

  it("reports loop bodies entered from outside", () => {
    const input = definition(
      [node("before"), node("each", "control.loop", { items: "{{trigger.payload.rows}}" }), node("b1"), node("b2"), node("after")],
      ["trigger→before", "before→each", "each:body→b1", "b1→b2", "each:done→after", "after→b2", "before→b2"],
    );
    expect(summary(validate(input))).toEqual([
      "error loop_body_entered_from_outside after→b2 edges.5.target",
      "error loop_body_entered_from_outside before→b2 edges.6.target",
    ]);
  });

  it("returns every problem of a definition at once", () => {
    const input = definition(
      [node("a", "nope.type"), node("a"), node("w", "control.wait", { durationMs: -1 }), node("x", "core.noop", { value: "{{step.zz.output}}" }), node("y")],
      ["trigger→w", "w→x", "x→w", "ghost→y"],
    );
    expect(new Set(codes(validate(input)))).toEqual(
      new Set(["unknown_node_type", "duplicate_node_id", "unknown_edge_endpoint", "cycle", "unreachable_node", "config_invalid", "unknown_step_reference"]),
    );
  });
});
