import { describe, expect, it } from "vitest";
import { catalog, describeCatalog } from "@/lib/catalog";
import { validateDefinition } from "@/lib/workflow";
import { availableTemplates, workflowTemplates } from "./templates";

describe("workflow templates", () => {
  const description = describeCatalog(catalog);

  it("offers only templates whose types all exist, and each of those is a valid draft", () => {
    const offered = availableTemplates(description);
    expect(offered.map((template) => template.id)).toContain("slack-approval");
    for (const template of offered) {
      const errors = validateDefinition(template.definition, { mode: "draft", catalog }).filter((problem) => problem.severity === "error");
      expect(errors, template.id).toEqual([]);
    }
  });

  it("leaves out a template that needs a node type the catalog lacks", () => {
    const withoutSlack = { ...description, nodeTypes: description.nodeTypes.filter((nodeType) => nodeType.provider !== "slack") };
    expect(workflowTemplates.length).toBeGreaterThan(0);
    expect(availableTemplates(withoutSlack)).toEqual([]);
  });
});
