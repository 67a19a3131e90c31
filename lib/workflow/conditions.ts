import { z } from "zod";
import { WorkflowError } from "./errors";
import { isPlainObject, jsonEqual } from "./json";
import { compileSafePattern, patternLimits, patternProblem } from "./safe-regex";

// Structured conditions for IF (and anything else that branches): comparisons {op, left, right}
// combined by {all: […]} / {any: […]}. left and right may hold {{…}} templates; the caller
// interpolates them first, so evaluateCondition only ever sees resolved values.
//
// Coercion rules (docs/workflow-format.md has the full table):
// - A numeric value is a finite number, or a string that is one after trimming ("42", " -1.5e3 ").
//   Hex, "Infinity" and "" are not numeric. Booleans are never numbers.
// - eq: undefined counts as null, and null equals only null. If either side is a number, both must
//   be numeric and equal as numbers (5 eq "5.0"). If either side is a boolean, the other may be a
//   boolean or "true"/"false" (any case). Two strings compare exactly, even numeric ones
//   ("007" neq "7": they are usually ids). Arrays and objects compare structurally.
// - gt/gte/lt/lte: numeric when both sides are numeric; else by time when both are ISO 8601
//   dates (a date-time without offset is UTC); else by code units when both are strings; any
//   other pair (null, booleans, objects, number vs non-numeric text) is false for every order.
// - contains: text contains text (numbers count as their text); a list contains an item that eq
//   matches; anything else is false. notContains is its negation. startsWith/endsWith: text only.
// - matches: text (or a number) against a pattern checked by safe-regex; the text may be at most
//   10,000 characters. in: right must be a list; true when an item eq left.
// - exists: not null/undefined. isEmpty: null, undefined, "", [] or {}.

export const comparisonOperators = [
  "eq",
  "neq",
  "gt",
  "gte",
  "lt",
  "lte",
  "contains",
  "notContains",
  "startsWith",
  "endsWith",
  "matches",
  "exists",
  "isEmpty",
  "in",
] as const;

export type ComparisonOperator = (typeof comparisonOperators)[number];
export type Comparison = { op: ComparisonOperator; left: unknown; right?: unknown };
export type Condition = Comparison | { all: Condition[] } | { any: Condition[] };

export const conditionLimits = { maxGroupDepth: 10, maxGroupSize: 100 } as const;

const unaryOperators: ReadonlySet<ComparisonOperator> = new Set(["exists", "isEmpty"]);

// A string with {{ is resolved at run time, so only its resolved value can be checked.
const isTemplate = (value: unknown) => typeof value === "string" && value.includes("{{");

const comparisonSchema = z.object({ op: z.enum(comparisonOperators), left: z.unknown(), right: z.unknown().optional() }).superRefine(({ op, right }, ctx) => {
  if (unaryOperators.has(op)) return;
  if (right === undefined) {
    ctx.addIssue({ code: "custom", path: ["right"], message: `"right" is required for ${op}`, params: { missing: true } });
  } else if (op === "in" && !Array.isArray(right) && !isTemplate(right)) {
    ctx.addIssue({ code: "custom", path: ["right"], message: 'For "in", right must be a list (or a {{…}} expression giving one)' });
  } else if (op === "matches" && !isTemplate(right)) {
    const problem = typeof right === "string" ? patternProblem(right) : 'For "matches", right must be a pattern (text)';
    if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["right"], message: problem });
  }
});

// Groups are strict, so a comparison is never read as a group that lost its keys.
const conditionShape: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionShape).min(1).max(conditionLimits.maxGroupSize) }),
    z.strictObject({ any: z.array(conditionShape).min(1).max(conditionLimits.maxGroupSize) }),
    comparisonSchema,
  ]),
);

// The depth is checked before the recursive schema runs, so hostile nesting never reaches it.
export const conditionSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    if (groupDepthExceeds(value, conditionLimits.maxGroupDepth)) {
      ctx.addIssue({ code: "custom", message: `Groups (all/any) may be nested at most ${conditionLimits.maxGroupDepth} levels deep` });
    }
  })
  .pipe(conditionShape);

function groupDepthExceeds(value: unknown, allowed: number): boolean {
  if (!isPlainObject(value)) return false;
  const members = Object.hasOwn(value, "all") ? value["all"] : Object.hasOwn(value, "any") ? value["any"] : undefined;
  if (!Array.isArray(members)) return false;
  return allowed === 0 || members.some((member) => groupDepthExceeds(member, allowed - 1));
}

export function evaluateCondition(condition: Condition): boolean {
  if ("all" in condition) return condition.all.every(evaluateCondition);
  if ("any" in condition) return condition.any.some(evaluateCondition);
  return compare(condition.op, condition.left, condition.right);
}

function compare(op: ComparisonOperator, left: unknown, right: unknown): boolean {
  switch (op) {
    case "eq":
      return looselyEqual(left, right);
    case "neq":
      return !looselyEqual(left, right);
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const sign = order(left, right);
      if (sign === undefined) return false;
      return op === "gt" ? sign > 0 : op === "gte" ? sign >= 0 : op === "lt" ? sign < 0 : sign <= 0;
    }
    case "contains":
      return contains(left, right);
    case "notContains":
      return !contains(left, right);
    case "startsWith":
    case "endsWith": {
      const text = comparableText(left);
      const part = comparableText(right);
      if (text === undefined || part === undefined) return false;
      return op === "startsWith" ? text.startsWith(part) : text.endsWith(part);
    }
    case "matches":
      return matches(left, right);
    case "exists":
      return left !== undefined && left !== null;
    case "isEmpty":
      return (
        left === undefined ||
        left === null ||
        left === "" ||
        (Array.isArray(left) && left.length === 0) ||
        (isPlainObject(left) && Object.keys(left).length === 0)
      );
    case "in":
      if (!Array.isArray(right)) throw new WorkflowError("E_VALIDATION", { message: `The right side of "in" must be a list, got ${kindOf(right)}` });
      return right.some((item) => looselyEqual(left, item));
  }
}

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && NUMERIC.test(value.trim())) return Number(value);
  return undefined;
}

function booleanOf(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return undefined;
  const word = value.trim().toLowerCase();
  return word === "true" ? true : word === "false" ? false : undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Milliseconds of an ISO 8601 date; without an offset it is UTC, never the server's zone. */
function timeOf(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const time = Date.parse(match[1] !== undefined && match[4] === undefined ? `${text}Z` : text);
  return Number.isNaN(time) ? undefined : time;
}

function comparableText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

function looselyEqual(left: unknown, right: unknown): boolean {
  const a = left ?? null;
  const b = right ?? null;
  if (a === null || b === null) return a === b;
  if (typeof a === "number" || typeof b === "number") {
    const [x, y] = [numberOf(a), numberOf(b)];
    return x !== undefined && x === y;
  }
  if (typeof a === "boolean" || typeof b === "boolean") {
    const [x, y] = [booleanOf(a), booleanOf(b)];
    return x !== undefined && x === y;
  }
  return jsonEqual(a, b);
}

/** Negative, zero or positive; undefined when the pair has no order. */
function order(left: unknown, right: unknown): number | undefined {
  const [x, y] = [numberOf(left), numberOf(right)];
  if (x !== undefined && y !== undefined) return x - y;
  const [s, t] = [timeOf(left), timeOf(right)];
  if (s !== undefined && t !== undefined) return s - t;
  if (typeof left === "string" && typeof right === "string") return left < right ? -1 : left > right ? 1 : 0;
  return undefined;
}

function contains(left: unknown, right: unknown): boolean {
  if (Array.isArray(left)) return left.some((item) => looselyEqual(item, right));
  const text = comparableText(left);
  const part = comparableText(right);
  return text !== undefined && part !== undefined && text.includes(part);
}

function matches(left: unknown, right: unknown): boolean {
  if (typeof right !== "string")
    throw new WorkflowError("E_VALIDATION", { message: `The right side of "matches" must be a pattern (text), got ${kindOf(right)}` });
  const pattern = compileSafePattern(right);
  const text = comparableText(left);
  if (text === undefined) return false;
  if (text.length > patternLimits.maxInputLength) {
    throw new WorkflowError("E_VALIDATION", {
      message: `"matches" checks text of at most ${patternLimits.maxInputLength.toLocaleString("en")} characters; this one has ${text.length.toLocaleString("en")}`,
      remediation: "Match a shorter field, or use contains / startsWith",
    });
  }
  return pattern.test(text);
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  return Array.isArray(value) ? "a list" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}
