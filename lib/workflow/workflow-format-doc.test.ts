import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { catalog } from "@/lib/catalog";
import { nodeSchema } from "./definition";
import { isPlainObject } from "./json";
import { migrateNodeConfig } from "./load-definition";
import { checkNodeConfig } from "./node-types";
import { validateDefinition } from "./validate";

// Keeps docs/workflow-format.md honest: every complete JSON example in it must be valid.

const doc = readFileSync(new URL("../../docs/workflow-format.md", import.meta.url), "utf8");
const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].flatMap(([, body]) => {
  try {
    return [JSON.parse(body ?? "") as unknown];
  } catch {
    return []; // shapes written for reading, like the condition forms with <condition>
  }
});

describe("docs/workflow-format.md", () => {
  it("has examples", () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  it.each(examples.filter((example) => isPlainObject(example) && "trigger" in example).map((example) => [example]))(
    "its workflow %# is valid when published",
    (example) => {
      expect(validateDefinition(example, { mode: "strict", catalog })).toEqual([]);
    },
  );

  it.each(examples.filter((example) => isPlainObject(example) && "position" in example).map((example) => [example]))(
    "its node %# has a valid config",
    (example) => {
      const node = nodeSchema.parse(example);
      const nodeType = catalog.get(node.type);
      if (!nodeType) throw new Error(`unknown type ${node.type}`);
      const migration = migrateNodeConfig(nodeType, node.config);
      if (!migration.ok) throw new Error(migration.message);
      expect(checkNodeConfig(nodeType, migration.config, "strict")).toEqual([]);
    },
  );
});
