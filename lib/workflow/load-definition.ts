import { configFields, definitionSchema, type NodeConfig, type WorkflowDefinition } from "./definition";
import { WorkflowError } from "./errors";
import { isPlainObject } from "./json";
import type { NodeCatalog, NodeType } from "./node-types";
import { flattenIssues, type ProblemCode } from "./problems";

// Definitions outlive the code that saved them: each node config carries the version of its node
// type it was saved with (__v), and loading brings it up to the current version.

export type MigrationResult =
  { ok: true; config: NodeConfig } | { ok: false; code: Extract<ProblemCode, "config_version_unsupported" | "config_migration_failed">; message: string };

/**
 * Brings a config to its type's current version and stamps that version in __v. A config without
 * __v is taken as current: API clients write the current shape, and every save stamps it.
 */
export function migrateNodeConfig(nodeType: NodeType, config: NodeConfig): MigrationResult {
  const savedVersion = config.__v ?? nodeType.version;
  if (savedVersion > nodeType.version) {
    return {
      ok: false,
      code: "config_version_unsupported",
      message: `Saved with version ${savedVersion} of "${nodeType.type}", newer than this server's version ${nodeType.version}`,
    };
  }
  if (savedVersion === nodeType.version || !nodeType.migrate) {
    return { ok: true, config: config.__v === nodeType.version ? config : { ...config, __v: nodeType.version } };
  }
  let migrated: unknown;
  try {
    migrated = nodeType.migrate(configFields(config), savedVersion);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, code: "config_migration_failed", message: `Could not upgrade the config from version ${savedVersion}: ${reason}` };
  }
  if (!isPlainObject(migrated)) {
    return { ok: false, code: "config_migration_failed", message: `Upgrading the config from version ${savedVersion} did not give an object` };
  }
  return { ok: true, config: { ...migrated, __v: nodeType.version } };
}

/**
 * Parses a stored or submitted definition and migrates its node configs. Throws E_VALIDATION when
 * the shape is wrong or a config cannot be migrated; graph rules are validateDefinition's job.
 */
export function loadDefinition(raw: unknown, catalog: NodeCatalog): WorkflowDefinition {
  const parsed = definitionSchema.safeParse(raw, { reportInput: true });
  const issues = parsed.success ? [] : flattenIssues(parsed.error.issues).map(({ path, message }) => ({ path, message }));
  const triggerType = parsed.success ? parsed.data.trigger.type : (raw as { trigger?: { type?: unknown } } | null)?.trigger?.type;
  if (typeof triggerType === "string" && !catalog.trigger(triggerType))
    issues.push({ path: ["trigger", "type"], message: `Unknown trigger type "${triggerType}"` });
  if (!parsed.success || issues.length > 0) {
    throw new WorkflowError("E_VALIDATION", { message: "The workflow definition is not valid", details: { issues } });
  }
  const nodes = parsed.data.nodes.map((node) => {
    const nodeType = catalog.get(node.type);
    if (!nodeType) return node; // unknown types are reported by validation, not a loading failure
    const migration = migrateNodeConfig(nodeType, node.config);
    if (!migration.ok) throw new WorkflowError("E_VALIDATION", { message: `Node "${node.id}": ${migration.message}`, nodeId: node.id });
    return { ...node, config: migration.config };
  });
  return { ...parsed.data, nodes };
}
