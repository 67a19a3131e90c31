import type { z } from "zod";
import type { JsonPath } from "./json";

// The vocabulary of validation: what a problem looks like and which codes exist. Codes are
// stable (API clients and the editor branch on them); messages are for people.

/** Draft: the editor's working copy, allowed to be unfinished. Strict: publish and run start. */
export type ValidationMode = "draft" | "strict";

export const problemCodes = [
  "invalid_definition",
  "duplicate_node_id",
  "duplicate_edge_id",
  "unknown_node_type",
  "unknown_trigger_type",
  "config_version_unsupported",
  "config_migration_failed",
  "config_missing_field",
  "config_invalid",
  "unknown_edge_endpoint",
  "invalid_handle",
  "handle_multiple_edges",
  "duplicate_edge",
  "cycle",
  "unreachable_node",
  "template_invalid",
  "unknown_step_reference",
  "step_not_upstream",
  "loop_reference_outside_body",
  "loop_output_in_body",
  "loop_body_entered_from_outside",
  "policy_blocked",
] as const;

export type ProblemCode = (typeof problemCodes)[number];

export type Problem = {
  severity: "error" | "warning";
  code: ProblemCode;
  message: string;
  nodeId?: string;
  edgeId?: string;
  /** Where in the definition, e.g. ["nodes", 3, "config", "condition", "op"]. */
  path: JsonPath;
};

/** A zod issue reduced to what validation needs; `missing` marks an absent or empty required value. */
export type FlatIssue = { path: JsonPath; message: string; missing: boolean };

/**
 * Flattens zod issues. For a failed union it keeps the branch the author most likely meant: the
 * one with the fewest absent or unknown keys at its top, then the fewest issues. So a comparison
 * without `op` reports "op is required", not "no branch matched".
 * Parse with `reportInput: true`: an issue without an input is how zod reports an absent key.
 */
export function flattenIssues(issues: readonly z.core.$ZodIssue[], base: JsonPath = []): FlatIssue[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path.map((key) => (typeof key === "symbol" ? String(key) : key))];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const ranked = issue.errors.map((branch) => ({ branch, misfit: branch.filter(isMisfit).length }));
      const best = ranked.reduce((a, b) => (b.misfit < a.misfit || (b.misfit === a.misfit && b.branch.length < a.branch.length) ? b : a));
      return flattenIssues(best.branch, path);
    }
    const missing = isMissingValue(issue);
    // zod's own wording for an absent value ("expected string, received undefined") reads badly.
    const message = missing && issue.code !== "custom" ? `"${fieldName(path)}" is required` : issue.message;
    return [{ path, missing, message }];
  });
}

/** An issue saying the value has another shape than this union branch expects. */
const isMisfit = (issue: z.core.$ZodIssue) => issue.path.length <= 1 && (issue.code === "unrecognized_keys" || isMissingValue(issue));

function isMissingValue(issue: z.core.$ZodIssue): boolean {
  if (issue.code === "invalid_type" || issue.code === "invalid_value") return issue.input === undefined;
  // An empty required text or list is how a form leaves a field unfilled.
  if (issue.code === "too_small") return issue.minimum === 1 && (issue.input === "" || (Array.isArray(issue.input) && issue.input.length === 0));
  if (issue.code === "custom") return issue.params?.["missing"] === true;
  return false;
}

function fieldName(path: JsonPath): string {
  const named = path.filter((key): key is string => typeof key === "string");
  return named[named.length - 1] ?? "value";
}
