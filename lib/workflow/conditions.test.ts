import { describe, expect, it } from "vitest";
import { conditionSchema, evaluateCondition, type ComparisonOperator, type Condition } from "./conditions";
import { flattenIssues } from "./problems";
import { catchWorkflowError } from "./test-fixtures";

const compare = (op: ComparisonOperator, left: unknown, right?: unknown) => evaluateCondition({ op, left, right });

describe("comparison coercion", () => {
  it.each<[unknown, ComparisonOperator, unknown, boolean]>([
    // eq: numbers and numeric strings compare as numbers
    [5, "eq", 5, true],
    [5, "eq", "5", true],
    ["5.0", "eq", 5, true],
    [" 42 ", "eq", 42, true],
    [1e3, "eq", "1e3", true],
    [5, "eq", "five", false],
    [0, "eq", "", false],
    [0, "eq", false, false],
    [1, "eq", true, false],
    [16, "eq", "0x10", false],
    // eq: two strings compare exactly, even numeric ones
    ["007", "eq", "7", false],
    ["abc", "eq", "abc", true],
    ["abc", "eq", "ABC", false],
    // eq: booleans and "true"/"false"
    [true, "eq", true, true],
    [true, "eq", "true", true],
    ["FALSE", "eq", false, true],
    [false, "eq", "no", false],
    [false, "eq", 0, false],
    // eq: null and undefined
    [null, "eq", null, true],
    [undefined, "eq", null, true],
    [null, "eq", "", false],
    [null, "eq", 0, false],
    [null, "eq", false, false],
    // eq: lists and objects compare structurally
    [[1, 2], "eq", [1, 2], true],
    [[1, 2], "eq", [2, 1], false],
    [{ a: 1, b: [2] }, "eq", { b: [2], a: 1 }, true],
    [{ a: 1 }, "eq", { a: 1, b: 2 }, false],
    [[1], "eq", 1, false],
    // neq is the negation of eq
    [5, "neq", "5", false],
    ["007", "neq", "7", true],
    [null, "neq", undefined, false],
    // order: numeric when both sides are numeric
    [10, "gt", 9, true],
    ["10", "gt", "9", true],
    ["10", "gt", 9, true],
    [3, "gte", "3.0", true],
    [-1, "lt", 0, true],
    [2, "lte", 2, true],
    // order: dates when both sides are ISO dates (no offset = UTC)
    ["2025-01-02", "gt", "2025-01-01", true],
    ["2025-01-01T10:00:00+02:00", "lt", "2025-01-01T09:00:00Z", true],
    ["2025-01-01T09:00", "eq", "2025-01-01T09:00:00Z", false],
    ["2025-01-01T09:00", "gte", "2025-01-01T09:00:00Z", true],
    ["2025-01-01T09:00", "lte", "2025-01-01T09:00:00Z", true],
    // order: otherwise strings by code units
    ["banana", "gt", "apple", true],
    ["Zebra", "lt", "apple", true],
    // order: anything else has no order, so every comparison is false
    [null, "lt", 1, false],
    [null, "gte", null, false],
    [true, "gt", false, false],
    [5, "gt", "abc", false],
    [5, "lte", "abc", false],
    [[2], "gt", [1], false],
    // contains: text in text, numbers as text, items of a list by eq
    ["hello world", "contains", "o w", true],
    ["hello", "contains", "HELLO", false],
    ["order 123", "contains", 123, true],
    [12345, "contains", "234", true],
    [["a", "b"], "contains", "b", true],
    [[1, 2], "contains", "2", true],
    [[{ id: 1 }], "contains", { id: 1 }, true],
    [null, "contains", "a", false],
    [{ a: 1 }, "contains", "a", false],
    ["abc", "contains", null, false],
    // notContains is the negation of contains
    ["hello", "notContains", "x", true],
    [null, "notContains", "a", true],
    [["a"], "notContains", "a", false],
    // startsWith / endsWith: text (and numbers as text) only
    ["INV-2025-001", "startsWith", "INV-", true],
    ["INV-2025-001", "endsWith", "001", true],
    [2025001, "startsWith", 2025, true],
    [["INV"], "startsWith", "INV", false],
    ["abc", "endsWith", null, false],
    // matches: text or numbers against a pattern
    ["INV-2025", "matches", "^INV-\\d{4}$", true],
    ["inv-2025", "matches", "^INV-\\d{4}$", false],
    [2025, "matches", "^\\d+$", true],
    [null, "matches", "^.*$", false],
    // exists / isEmpty
    ["", "exists", undefined, true],
    [0, "exists", undefined, true],
    [false, "exists", undefined, true],
    [null, "exists", undefined, false],
    [undefined, "exists", undefined, false],
    ["", "isEmpty", undefined, true],
    [" ", "isEmpty", undefined, false],
    [[], "isEmpty", undefined, true],
    [{}, "isEmpty", undefined, true],
    [null, "isEmpty", undefined, true],
    [undefined, "isEmpty", undefined, true],
    [0, "isEmpty", undefined, false],
    [false, "isEmpty", undefined, false],
    // in: left eq some item of the list on the right
    ["b", "in", ["a", "b"], true],
    ["2", "in", [1, 2], true],
    [null, "in", [null], true],
    ["c", "in", ["a", "b"], false],
    ["c", "in", [], false],
  ])("%j %s %j → %s", (left, op, right, expected) => {
    expect(compare(op, left, right)).toBe(expected);
  });

  it.each<[ComparisonOperator, unknown, unknown, string]>([
    ["in", "a", "abc", 'right side of "in" must be a list'],
    ["in", "a", undefined, 'right side of "in" must be a list'],
    ["matches", "a", 5, 'right side of "matches" must be a pattern'],
    ["matches", "a", "(a+)+$", "repeats a group"],
    ["matches", "x".repeat(10_001), "^x+$", "at most 10,000 characters"],
  ])("%s with left %j and right %j fails with E_VALIDATION", (op, left, right, message) => {
    const error = catchWorkflowError(() => compare(op, left, right));
    expect(error.code).toBe("E_VALIDATION");
    expect(error.message).toContain(message);
  });

  it("refuses an evil pattern before running it, quickly", () => {
    const started = performance.now();
    const error = catchWorkflowError(() => compare("matches", `${"a".repeat(9_999)}!`, "^(a+)+$"));
    expect(error.code).toBe("E_VALIDATION");
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe("condition groups", () => {
  const yes = { op: "eq", left: 1, right: 1 } as const;
  const no = { op: "eq", left: 1, right: 2 } as const;

  it.each<[Condition, boolean]>([
    [{ all: [yes, yes] }, true],
    [{ all: [yes, no] }, false],
    [{ any: [no, yes] }, true],
    [{ any: [no, no] }, false],
    [{ all: [yes, { any: [no, { all: [yes, yes] }] }] }, true],
    [{ any: [no, { all: [yes, no] }] }, false],
  ])("%j → %s", (condition, expected) => {
    expect(evaluateCondition(condition)).toBe(expected);
  });
});

describe("conditionSchema", () => {
  const issues = (value: unknown) => {
    const result = conditionSchema.safeParse(value, { reportInput: true });
    return result.success ? [] : flattenIssues(result.error.issues);
  };

  it("accepts comparisons and nested groups", () => {
    expect(issues({ all: [{ op: "exists", left: "{{trigger.payload.x}}" }, { any: [{ op: "in", left: "a", right: ["a"] }] }] })).toEqual([]);
  });

  it("reports the missing part of the comparison meant, not every union branch", () => {
    expect(issues({ left: "{{trigger.payload.x}}", right: 1 })).toEqual([{ path: ["op"], message: '"op" is required', missing: true }]);
    expect(issues({ op: "eq", left: 1 })).toEqual([{ path: ["right"], message: '"right" is required for eq', missing: true }]);
    expect(issues({ all: [{ op: "nope", left: 1, right: 2 }] })).toMatchObject([{ path: ["all", 0, "op"], missing: false }]);
  });

  it("needs a list (or a template) on the right of in, and a safe pattern on the right of matches", () => {
    expect(issues({ op: "in", left: "a", right: "a,b" })[0]?.message).toContain("must be a list");
    expect(issues({ op: "in", left: "a", right: "{{step.a.output.list}}" })).toEqual([]);
    expect(issues({ op: "matches", left: "a", right: "(a|a)*" })[0]?.message).toContain("repeats a group");
    expect(issues({ op: "matches", left: "a", right: "{{trigger.payload.pattern}}" })).toEqual([]);
  });

  it("limits groups to 10 levels, without recursing into deeper input", () => {
    const nest = (levels: number): unknown => {
      let condition: unknown = { op: "exists", left: 1 };
      for (let i = 0; i < levels; i++) condition = { all: [condition] };
      return condition;
    };
    expect(issues(nest(10))).toEqual([]);
    expect(issues(nest(11))[0]?.message).toContain("at most 10 levels");
    expect(issues(nest(10_000))[0]?.message).toContain("at most 10 levels");
  });

  it("refuses empty groups as unfinished", () => {
    expect(issues({ all: [] })).toMatchObject([{ path: ["all"], missing: true }]);
  });
});
