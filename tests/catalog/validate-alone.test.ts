import { describe, expect, it } from "vitest";
import { catalog } from "@/lib/catalog";
import { validateDefinition } from "@/lib/workflow/validate";

// This file imports the validation module and the catalog, nothing else: whether a provider's
// node types are known cannot depend on some other module having been imported first.
describe("validation with only the catalog", () => {
  it("knows slack.send_message and checks its config", () => {
    const definition = (config: Record<string, unknown>) => ({
      trigger: { type: "manual", config: {} },
      nodes: [{ id: "post", type: "slack.send_message", name: "Post", config, position: { x: 0, y: 0 } }],
      edges: [{ id: "e1", source: "trigger", target: "post" }],
    });
    expect(validateDefinition(definition({ channel: "#general", text: "Hi" }), { mode: "strict", catalog })).toEqual([]);
    const problems = validateDefinition(definition({ channel: "#general" }), { mode: "strict", catalog });
    expect(problems.map((p) => `${p.code} ${p.path.join(".")}`)).toEqual(["config_missing_field nodes.0.config.text"]);
  });
});
