import { describe, expect, it } from "vitest";
import type { WorkflowDefinition } from "@/lib/workflow/definition";
import { catalog, describeCatalog } from "@/lib/catalog";
import { indexCatalog } from "./graph";
import { previewScope, resolvePreview, variablesAt } from "./variables";

const index = indexCatalog(describeCatalog(catalog));
const node = (id: string, type: string) => ({ id, type, name: `Step ${id}`, config: {}, position: { x: 0, y: 0 } });
const definition: WorkflowDefinition = {
  // A sample payload captured on the trigger: the manual trigger's payload is any JSON.
  trigger: { type: "manual", config: { samplePayload: { amount: 1200, requester: { email: "ada@example.com" } } } },
  nodes: [node("post", "slack.send_message"), node("each", "control.loop"), node("inside", "core.noop"), node("aside", "core.noop")],
  edges: [
    { id: "e1", source: "trigger", target: "post", sourceHandle: "out", targetHandle: "in" },
    { id: "e2", source: "post", target: "each", sourceHandle: "out", targetHandle: "in" },
    { id: "e3", source: "each", target: "inside", sourceHandle: "body", targetHandle: "in" },
    { id: "e4", source: "trigger", target: "aside", sourceHandle: "out", targetHandle: "in" },
  ],
};

describe("variablesAt", () => {
  it("lists the payload with sample values, upstream outputs, and the loop inside its body", () => {
    const paths = variablesAt(index, definition, "inside");
    expect(paths).toContainEqual(expect.objectContaining({ path: "trigger.payload.amount", sample: 1200 }));
    expect(paths).toContainEqual(expect.objectContaining({ path: "trigger.payload.requester.email", sample: "ada@example.com" }));
    expect(paths).toContainEqual(expect.objectContaining({ path: "step.post.output.ts", group: "Step post" }));
    expect(paths.map((v) => v.path)).toEqual(expect.arrayContaining(["loop.item", "loop.index"]));
  });

  it("leaves out steps on another branch and loop variables outside a body, and prefers the last run's values", () => {
    const paths = variablesAt(index, definition, "aside", new Map([["trigger", { amount: 7 }]]));
    expect(paths.map((v) => v.path)).not.toContain("step.post.output");
    expect(paths.map((v) => v.path)).not.toContain("loop.item");
    expect(paths.find((v) => v.path === "trigger.payload.amount")!.sample).toBe(7);
  });
});

describe("the expression preview", () => {
  const looped: WorkflowDefinition = {
    ...definition,
    nodes: definition.nodes.map((n) => (n.id === "each" ? { ...n, config: { items: "{{step.post.output.rows}}" } } : n)),
  };
  const lastRun = new Map<string, unknown>([
    ["trigger", { amount: 1500 }],
    ["post", { ts: "1.2", rows: ["first", "second"] }],
  ]);

  it("resolves with the runner's interpolation: the last run's values, types kept for a lone expression", () => {
    const scope = previewScope(index, looped, "inside", lastRun);
    expect(resolvePreview("{{trigger.payload.amount}}", scope, "inside")).toEqual({ ok: true, value: 1500 });
    expect(resolvePreview("Posted {{step.post.output.ts}} for {{loop.item}}", scope, "inside")).toEqual({ ok: true, value: "Posted 1.2 for first" });
  });

  it("falls back to the sample payload, and gives a bad path's error with its remediation", () => {
    const scope = previewScope(index, looped, "aside");
    expect(resolvePreview("{{trigger.payload.requester.email}}", scope, "aside")).toEqual({ ok: true, value: "ada@example.com" });
    const bad = resolvePreview("{{trigger.payload.requester.phone}}", scope, "aside");
    expect(bad).toMatchObject({ ok: false, message: expect.stringContaining('has no "phone"'), remediation: expect.stringContaining("fallback") });
    // A step on another branch has no result here, as at run time.
    expect(resolvePreview("{{step.post.output.ts}}", previewScope(index, looped, "aside", lastRun), "aside")).toMatchObject({
      ok: false,
      message: expect.stringContaining('step "post" has no result'),
    });
  });
});
