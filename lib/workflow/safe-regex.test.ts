import { describe, expect, it } from "vitest";
import { compileSafePattern, patternProblem } from "./safe-regex";

describe("patternProblem", () => {
  it.each([
    "^INV-\\d{4}$",
    "invoice",
    "invoice-\\d+",
    "^\\d{3}-\\d{4}$",
    "colou?r",
    "^(foo|bar)$",
    "(cat|dog)s?",
    "^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$",
    "^-?\\d+(\\.\\d+)?$",
    "^(?:\\+39)?\\d{6,10}$",
    "^\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$",
    ".*urgent",
    "^.*urgent.*$",
    "^(?=.*\\d)(?=.*[a-z]).{8,}$",
    "^[A-Z]{2}\\d{2}[A-Z0-9]{11,30}$",
    "\\bURGENT\\b",
    "^(ab)+$",
    "[\\]\\[{}]",
    "a{2}x{",
  ])("accepts %s", (pattern) => {
    expect(patternProblem(pattern)).toBeUndefined();
  });

  it.each([
    ["(a+)+$", "repeats a group"],
    ["(a*)*", "repeats a group"],
    ["(a|a)*", "repeats a group"],
    ["(a|ab)+c", "repeats a group"],
    ["^(\\w+\\s?)*$", "repeats a group"],
    ["((ab)*c)+", "repeats a group"],
    ["(?:x+y?){2,}", "repeats a group"],
    ["(.*a){12}", "repeats a group"],
    ["(a)\\1", "Backreferences"],
    ["(?<x>a)\\k<x>", "Backreferences"],
    [".*.*x", "several parts in a row"],
    ["^\\S+@\\S+\\.\\S+$", "several parts in a row"],
    ["\\d+\\d+", "several parts in a row"],
    ["a?a?a?aaa", "several parts in a row"],
    ["x+a*x+", "several parts in a row"],
    ["^(.*,)?.*,.*$", "several parts in a row"],
    ["(", "not a valid regular expression"],
    ["a".repeat(201), "longer than 200"],
  ])("refuses %s (%s)", (pattern, reason) => {
    expect(patternProblem(pattern)).toContain(reason);
  });
});

describe("compileSafePattern", () => {
  it("compiles an accepted pattern and throws E_VALIDATION for a refused one", () => {
    expect(compileSafePattern("^a+$").test("aaa")).toBe(true);
    expect(() => compileSafePattern("(a+)+$")).toThrow(expect.objectContaining({ code: "E_VALIDATION" }));
  });

  it("keeps accepted patterns fast on hostile input at the 10,000-character cap", () => {
    const hostile = ["1".repeat(10_000), "a@".repeat(5_000), " ".repeat(10_000)];
    for (const pattern of ["\\d+x", "^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", "\\s*,\\s*$", "^.*urgent.*$"]) {
      const regex = compileSafePattern(pattern);
      for (const text of hostile) regex.test(text);
    }
    // Reaching here at all is the assertion: a refused pattern like .*.*x takes minutes on these.
  });
});
