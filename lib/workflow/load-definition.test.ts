import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadDefinition, migrateNodeConfig } from "./load-definition";
import { catalog } from "@/lib/catalog";
import type { NodeType } from "./node-types";
import { catchWorkflowError, definition, node } from "./test-fixtures";
import { validateDefinition } from "./validate";

describe("loadDefinition", () => {
  it("migrates an IF saved by version 1 (a flat comparison) to version 2 (a nested condition)", () => {
    const saved = definition([node("check", "control.if", { __v: 1, op: "gt", left: "{{trigger.payload.total}}", right: 100 })], ["trigger→check"]);
    const loaded = loadDefinition(saved, catalog);
    expect(loaded.nodes[0]?.config).toEqual({ __v: 2, condition: { op: "gt", left: "{{trigger.payload.total}}", right: 100 } });
    expect(validateDefinition(saved, { mode: "strict", catalog })).toEqual([]);
  });

  it("stamps the current version on configs saved without one, and leaves them as they are", () => {
    const config = { condition: { op: "exists", left: "{{trigger.payload.a}}" } };
    expect(loadDefinition(definition([node("a", "control.if", config)], []), catalog).nodes[0]?.config).toEqual({ ...config, __v: 2 });
  });

  it("leaves nodes of unknown types to validation", () => {
    expect(loadDefinition(definition([node("a", "gone.type", { x: 1 })], []), catalog).nodes[0]?.config).toEqual({ x: 1 });
  });

  it("refuses a config saved by a newer version of its type", () => {
    const error = catchWorkflowError(() => loadDefinition(definition([node("a", "control.if", { __v: 3 })], []), catalog));
    expect(error.code).toBe("E_VALIDATION");
    expect(error.nodeId).toBe("a");
    expect(error.message).toContain("newer");
  });

  it("throws E_VALIDATION listing every shape issue", () => {
    const error = catchWorkflowError(() => loadDefinition({ trigger: { type: "sometimes" }, nodes: [{ id: "1" }] }, catalog));
    expect(error.code).toBe("E_VALIDATION");
    const issues = error.details?.["issues"] as { path: unknown[] }[];
    expect(issues.map((issue) => issue.path.join("."))).toEqual(expect.arrayContaining(["trigger.type", "nodes.0.id", "nodes.0.name", "nodes.0.type"]));
  });
});

describe("migrateNodeConfig", () => {
  const failing: NodeType = {
    inputs: ["in"],
    type: "test.migrates",
    label: "Migrates",
    category: "test",
    version: 3,
    migrate: (config, fromVersion) => {
      if (fromVersion === 1) throw new Error("version 1 had no target");
      return { ...config, upgradedFrom: fromVersion };
    },
    config: z.object({}),
    outputs: [{ id: "out" }],
    output: z.object({}),
  };

  it("passes the saved version to migrate, without __v", () => {
    expect(migrateNodeConfig(failing, { __v: 2, a: 1 })).toEqual({ ok: true, config: { a: 1, upgradedFrom: 2, __v: 3 } });
  });

  it("reports a migration that throws instead of throwing", () => {
    expect(migrateNodeConfig(failing, { __v: 1 })).toMatchObject({ ok: false, code: "config_migration_failed", message: expect.stringContaining("no target") });
  });
});
