import { catalog } from "@/lib/catalog";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateCondition, type Condition } from "./conditions";
import { WorkflowError } from "./errors";
import { collectReferences, interpolate, parseTemplate } from "./interpolation";
import { loadDefinition } from "./load-definition";
import { problemCodes, type Problem } from "./problems";
import { patternProblem } from "./safe-regex";
import { definition, largeDefinition, node } from "./test-fixtures";
import { validateDefinition } from "./validate";

// Property-style tests: hostile and random input must give problems, never an exception, and must
// not touch Object.prototype. The generator is seeded, so a failure replays exactly.

/** mulberry32: small, fast, and good enough to explore input shapes. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}
type Random = ReturnType<typeof random>;

const KEYS = ["__proto__", "constructor", "prototype", "id", "type", "name", "config", "nodes", "edges", "source", "target", "op", "all", "any", "x", "🙂", ""];
const STRINGS = [
  "",
  "trigger",
  "core.noop",
  "control.if",
  "control.loop",
  "{{",
  "}}",
  "{{step.",
  "{{ loop.item }}",
  "{{trigger.payload.__proto__}}",
  '{{ a ?? "',
  "\\{{",
  "a".repeat(130),
  "\u0000",
  "e1",
];

function randomValue(rng: Random, depth: number): unknown {
  const kind = depth > 4 ? rng.int(7) : rng.int(10);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5;
    case 2:
      return rng.pick([0, -1, 1.5, 1e308, -0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 1000]);
    case 3:
      return rng.pick(STRINGS);
    case 4:
      return String.fromCharCode(...Array.from({ length: rng.int(40) }, () => rng.pick([123, 125, 46, 91, 93, 34, 63, 97, 115, 116, 101, 112, 32, 92, 48])));
    case 5:
      return undefined;
    case 6:
      return rng.pick(STRINGS) + rng.int(5);
    case 7:
    case 8:
      return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--)
        Object.defineProperty(object, rng.pick(KEYS), { value: randomValue(rng, depth + 1), enumerable: true, configurable: true, writable: true });
      return object;
    }
  }
}

/** Replaces, deletes or retypes a few places of a valid definition. */
function mutate(rng: Random, value: unknown): unknown {
  const copy: unknown = structuredClone(value);
  for (let n = 1 + rng.int(4); n > 0; n--) {
    let parent: unknown = copy;
    for (let depth = 0; depth < 6; depth++) {
      const keys = typeof parent === "object" && parent !== null ? Object.keys(parent) : [];
      if (keys.length === 0) break;
      const key = rng.pick(keys);
      const child: unknown = (parent as Record<string, unknown>)[key];
      if (rng.next() < 0.3 || typeof child !== "object" || child === null) {
        const target = parent as Record<string, unknown>;
        if (rng.next() < 0.2) delete target[key];
        else target[key] = randomValue(rng, 3);
        break;
      }
      parent = child;
    }
  }
  return copy;
}

function nest(levels: number, wrap: (inner: unknown) => unknown, leaf: unknown = "leaf"): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = wrap(value);
  return value;
}

function expectProblems(input: unknown): Problem[] {
  for (const mode of ["draft", "strict"] as const) {
    let problems: Problem[] = [];
    expect(() => (problems = validateDefinition(input, { mode, catalog }))).not.toThrow();
    // One assertion over all of them: thousands of expect() calls cost more than the validation they check.
    const malformed = problems.filter(
      (problem) =>
        !["error", "warning"].includes(problem.severity) ||
        !problemCodes.includes(problem.code) ||
        typeof problem.message !== "string" ||
        problem.message.length === 0 ||
        !problem.path.every((key) => typeof key === "string" || typeof key === "number"),
    );
    expect(malformed).toEqual([]);
    if (mode === "strict") return problems;
  }
  return [];
}

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
beforeAll(() => expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore));
afterAll(() => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
});

describe("validateDefinition on hostile input", () => {
  it.each<[string, unknown]>([
    ["null", null],
    ["undefined", undefined],
    ["a number", 42],
    ["a string", "{}"],
    ["a bigint", 10n],
    ["a symbol", Symbol("definition")],
    ["a function", () => ({ nodes: [] })],
    ["an array", [{ trigger: { type: "manual" } }]],
    ["a Date", new Date(0)],
    ["a Map", new Map([["nodes", []]])],
    ["an object without prototype", Object.assign(Object.create(null) as object, { trigger: { type: "manual" }, nodes: "x" })],
    ["an empty object", {}],
    ["nodes as an object", { trigger: { type: "manual" }, nodes: { 0: node("a") }, edges: [] }],
    [
      "nodes of every wrong type",
      { trigger: { type: "manual" }, nodes: [null, 1, "a", [], {}, { id: {} }, { id: "a", type: 5 }], edges: [null, {}, { id: 1 }] },
    ],
  ])("gives problems for %s", (_label, input) => {
    expect(expectProblems(input).length).toBeGreaterThan(0);
  });

  it("survives 10,000 levels of nesting wherever they appear", () => {
    const deep = nest(10_000, (inner) => ({ a: [inner] }));
    const deepCondition = nest(10_000, (inner) => ({ all: [inner] }), { op: "exists", left: 1 });
    const deepList = nest(10_000, (inner) => [inner]);
    const inputs = [
      deep,
      deepList,
      { ...definition([node("a", "core.noop", { deep })], ["trigger→a"]) },
      { ...definition([node("a", "control.if", { condition: deepCondition })], ["trigger→a"]) },
      { ...definition([], []), trigger: { type: "manual", config: { deep } } },
      { ...definition([], []), nodes: deepList, edges: deepList },
      { ...definition([], []), ui: { viewport: deep } },
    ];
    for (const input of inputs) expect(expectProblems(input).length).toBeGreaterThan(0);
  });

  it("survives huge strings", () => {
    const huge = "x".repeat(10_000_000);
    const manyTemplates = "{{run.id}}".repeat(50_000);
    const problems = expectProblems(
      definition(
        [node("a", "core.noop", { value: huge }), node("b", "core.noop", { value: manyTemplates }, { name: huge }), node(huge.slice(0, 100_000))],
        ["trigger→a", "a→b"],
      ),
    );
    expect(problems.map((p) => p.code)).toEqual(expect.arrayContaining(["template_invalid", "invalid_definition"]));
  });

  it("refuses 10,000 nodes at once, and handles 1,990 nodes with cycles", () => {
    const many = definition(
      Array.from({ length: 10_000 }, (_, i) => node(`n${i}`)),
      [],
    );
    expect(expectProblems(many)).toHaveLength(1);
    const large = largeDefinition(1990);
    const edges = large.edges ?? [];
    const withCycles = { ...large, edges: [...edges, { id: "back1", source: "n900", target: "n3" }, { id: "back2", source: "n1300", target: "n1100" }] };
    expect(expectProblems(withCycles).filter((p) => p.code === "cycle")).toHaveLength(2);
  });

  it("leaves Object.prototype alone when keys try to reach it", () => {
    const raw = `{
      "__proto__": {"polluted": true},
      "constructor": {"prototype": {"polluted": true}},
      "trigger": {"type": "manual", "config": {"__proto__": {"polluted": true}}},
      "nodes": [{"id": "a", "type": "core.noop", "name": "a", "position": {"x": 0, "y": 0},
                 "__proto__": {"polluted": true},
                 "config": {"value": {"__proto__": {"polluted": true}}, "constructor": {"prototype": {"polluted": true}}}}],
      "edges": [{"id": "e", "source": "trigger", "target": "a", "__proto__": {"polluted": true}}]
    }`;
    const input: unknown = JSON.parse(raw);
    const problems = expectProblems(input);
    expect(problems.map((p) => p.path.join("."))).toEqual(
      expect.arrayContaining(["trigger.config.__proto__", "nodes.0.config.value.__proto__", "nodes.0.config.constructor"]),
    );
    expect(() => loadDefinition(input, catalog)).toThrow(WorkflowError);
    const config: unknown = JSON.parse('{"__proto__": {"polluted": "{{run.id}}"}, "a": {"constructor": {"prototype": {"polluted": 1}}}}');
    interpolate(config, { trigger: { type: "manual", payload: {} }, steps: {}, run: { id: "r" } }, { nodeId: "a" });
    collectReferences(config);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("gives well-formed problems, never an exception, for 600 random mutations of valid definitions", () => {
    const rng = random(20_250_101);
    const seeds = [
      largeDefinition(30),
      definition(
        [
          node("l", "control.loop", { items: "{{trigger.payload.rows}}" }),
          node("b", "core.noop", { value: "{{loop.item}}" }),
          node("w", "control.wait", { durationMs: 5 }),
          node("ap", "control.approval", { message: "ok?", timeoutMs: 60_000 }),
        ],
        ["trigger→l", "l:body→b", "l:done→w", "w→ap"],
      ),
    ];
    for (let i = 0; i < 600; i++) expectProblems(mutate(rng, rng.pick(seeds)));
  });

  it("gives problems for 300 random values", () => {
    const rng = random(7);
    for (let i = 0; i < 300; i++) expectProblems(randomValue(rng, 0));
  });
});

describe("parsers on random input", () => {
  it("parseTemplate either parses or throws E_TEMPLATE", () => {
    const rng = random(99);
    const alphabet = [
      "{{",
      "}}",
      " ",
      ".",
      "[",
      "]",
      "0",
      "7",
      '"',
      "'",
      "\\",
      "??",
      "step",
      "trigger",
      "loop",
      "run",
      "item",
      "output",
      "a",
      "-",
      "null",
      "__proto__",
    ];
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: rng.int(16) }, () => rng.pick(alphabet)).join("");
      try {
        parseTemplate(text);
      } catch (error) {
        expect(error).toBeInstanceOf(WorkflowError);
        expect((error as WorkflowError).code).toBe("E_TEMPLATE");
      }
    }
  });

  it("patternProblem answers for any pattern, and what it accepts compiles", () => {
    const rng = random(1234);
    const alphabet = [
      "(",
      ")",
      "(?:",
      "(?=",
      "(?<=",
      "(?<n>",
      "[",
      "]",
      "[^",
      "a",
      "b",
      ".",
      "\\d",
      "\\s",
      "\\S",
      "\\1",
      "*",
      "+",
      "?",
      "{2}",
      "{1,}",
      "{",
      "}",
      "|",
      "^",
      "$",
      "-",
      "\\",
      "\\x4",
      "\\u00e9",
      "é",
    ];
    for (let i = 0; i < 5000; i++) {
      const pattern = Array.from({ length: rng.int(12) }, () => rng.pick(alphabet)).join("");
      const problem = patternProblem(pattern);
      if (problem === undefined) expect(() => new RegExp(pattern)).not.toThrow();
      else expect(typeof problem).toBe("string");
    }
  });

  it("evaluateCondition answers or throws WorkflowError for random operands", () => {
    const rng = random(5);
    const ops = ["eq", "neq", "gt", "gte", "lt", "lte", "contains", "notContains", "startsWith", "endsWith", "exists", "isEmpty", "in"] as const;
    for (let i = 0; i < 3000; i++) {
      const condition = { op: rng.pick(ops), left: randomValue(rng, 2), right: randomValue(rng, 2) } as Condition;
      try {
        expect(typeof evaluateCondition(condition)).toBe("boolean");
      } catch (error) {
        expect(error).toBeInstanceOf(WorkflowError);
      }
    }
  });
});
