import { describe, expect, it } from "vitest";
import { WorkflowError } from "./errors";
import { collectReferences, interpolate, parseTemplate, templateLimits, type InterpolationScope } from "./interpolation";
import { catchWorkflowError as catchError } from "./test-fixtures";

const scope: InterpolationScope = {
  trigger: { type: "manual", payload: { a: { b: 42 }, name: "Ada", items: [{ sku: "X1" }, { sku: "Y2" }], flag: false, none: null, "first name": "Ada" } },
  steps: {
    fetch: { output: { rows: [1, 2, 3], count: 3, customer: { email: "ada@example.com" }, empty: "" } },
    failed: { error: { code: "E_PROVIDER", message: "boom" } },
  },
  loop: { item: { name: "pen" }, index: 2 },
  run: { id: "run_1" },
};

const resolve = (value: unknown) => interpolate(value, scope, { nodeId: "n" });

describe("interpolate", () => {
  it.each([
    ["{{trigger.payload.a.b}}", 42],
    ["{{ trigger.payload.a.b }}", 42],
    ["{{trigger.payload.a}}", { b: 42 }],
    ["{{trigger.payload.flag}}", false],
    ["{{trigger.payload.none}}", null],
    ["{{trigger.type}}", "manual"],
    ["{{step.fetch.output.rows}}", [1, 2, 3]],
    ["{{step.fetch.output.rows[1]}}", 2],
    ["{{step.fetch.output.rows.2}}", 3],
    ["{{trigger.payload.items[0].sku}}", "X1"],
    ["{{trigger.payload.items.1.sku}}", "Y2"],
    ['{{trigger.payload["first name"]}}', "Ada"],
    ["{{step.failed.error.code}}", "E_PROVIDER"],
    ["{{loop.item.name}}", "pen"],
    ["{{loop.index}}", 2],
    ["{{run.id}}", "run_1"],
    ['{{ step.fetch.output.missing ?? "default" }}', "default"],
    ["{{ step.fetch.output.missing ?? 10 }}", 10],
    ["{{ step.fetch.output.missing ?? -1.5e2 }}", -150],
    ["{{ step.fetch.output.missing ?? true }}", true],
    ["{{ step.fetch.output.missing ?? null }}", null],
    ["{{ step.fetch.output.missing ?? trigger.payload.name }}", "Ada"],
    ['{{ step.nope.output.x ?? step.fetch.output.missing ?? "last" }}', "last"],
    ['{{ trigger.payload.none ?? "was null" }}', "was null"],
    ['{{ step.fetch.output.empty ?? "kept" }}', ""],
    ["{{ 'single \\'quoted\\'' }}", "single 'quoted'"],
    ["Hello {{trigger.payload.name}}!", "Hello Ada!"],
    ["{{trigger.payload.a.b}} items", "42 items"],
    ["{{trigger.payload.name}}{{trigger.payload.name}}", "AdaAda"],
    ["a: {{trigger.payload.a}}", 'a: {"b":42}'],
    ["list: {{step.fetch.output.rows}}", "list: [1,2,3]"],
    ["null: {{trigger.payload.none}}, flag: {{trigger.payload.flag}}", "null: null, flag: false"],
    ["no templates here", "no templates here"],
    ["literal \\{{ braces }}", "literal {{ braces }}"],
    ["}} alone is text", "}} alone is text"],
    [" {{trigger.payload.a.b}}", " 42"],
  ])("%s → %j", (template, expected) => {
    expect(resolve(template)).toEqual(expected);
  });

  it("walks objects and arrays, leaves other values and keys alone", () => {
    const config = { to: "{{step.fetch.output.customer.email}}", count: 3, on: true, list: ["{{loop.index}}", null], "{{key}}": "x" };
    expect(resolve(config)).toEqual({ to: "ada@example.com", count: 3, on: true, list: [2, null], "{{key}}": "x" });
  });

  it("does not mutate its input", () => {
    const config = { text: "{{run.id}}" };
    resolve(config);
    expect(config).toEqual({ text: "{{run.id}}" });
  });

  it.each([
    ["{{step.fetch.output.nope}}", '"step.fetch.output" has no "nope"'],
    ["{{step.other.output.x}}", 'step "other" has no result'],
    ["{{trigger.payload.items[5].sku}}", '"trigger.payload.items" has no "5"'],
    ["{{trigger.payload.name.length}}", '"trigger.payload.name" has no "length"'],
    ["{{step.fetch.output.rows.length}}", '"step.fetch.output.rows" has no "length"'],
    ["Hi {{trigger.payload.nope}}", '"trigger.payload" has no "nope"'],
    ["{{ step.fetch.output.nope ?? trigger.payload.nope }}", '"trigger.payload" has no "nope"'],
  ])("%s throws E_TEMPLATE naming the expression and the node", (template, reason) => {
    const error = catchError(() => interpolate({ field: template }, scope, { nodeId: "send" }));
    expect(error.code).toBe("E_TEMPLATE");
    expect(error.nodeId).toBe("send");
    expect(error.message).toContain(reason);
    expect(error.message).toContain('node "send"');
    expect(error.message).toContain("field");
  });

  it("says loop values exist only inside a loop body", () => {
    const { loop: _loop, ...outside } = scope;
    expect(catchError(() => interpolate("{{loop.item}}", outside, { nodeId: "n" })).message).toContain("inside a loop body");
  });

  it("resolves missing values to undefined (or empty text) when asked to", () => {
    const lenient = (value: unknown) => interpolate(value, scope, { nodeId: "n", missing: "undefined" });
    expect(lenient("{{trigger.payload.nope}}")).toBeUndefined();
    expect(lenient("a{{trigger.payload.nope}}b")).toBe("ab");
  });

  it("only walks own properties of plain objects", () => {
    class Secret {
      token = "s3cr3t";
    }
    const withClass: InterpolationScope = { ...scope, trigger: { type: "manual", payload: { obj: new Secret(), arr: [1] } } };
    const run = (template: string) => () => interpolate(template, withClass, { nodeId: "n" });
    expect(run("{{trigger.payload.obj.token}}")).toThrow(WorkflowError);
    expect(run("{{trigger.payload.toString}}")).toThrow(WorkflowError);
    expect(run("{{trigger.payload.arr.map}}")).toThrow(WorkflowError);
    expect(run("{{trigger.payload.hasOwnProperty}}")).toThrow(WorkflowError);
  });

  it('keeps a "__proto__" key of a config as a plain key of the result', () => {
    const config: unknown = JSON.parse('{"__proto__": {"polluted": "{{run.id}}"}}');
    const result = resolve(config) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(result, "__proto__")?.value).toEqual({ polluted: "run_1" });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("caps the text it produces", () => {
    const big: InterpolationScope = { ...scope, trigger: { type: "manual", payload: { text: "x".repeat(600_000) } } };
    const error = catchError(() => interpolate("{{trigger.payload.text}}{{trigger.payload.text}}", big, { nodeId: "n" }));
    expect(error.message).toContain("longer than 1,000,000 characters");
    // one expression keeps its value as it is: no new text is built
    expect(interpolate("{{trigger.payload.text}}", big, { nodeId: "n" })).toHaveLength(600_000);
  });

  it("caps the nesting of the value it walks", () => {
    let deep: unknown = "{{run.id}}";
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(catchError(() => resolve(deep)).message).toContain("nested more than 32 levels");
  });
});

describe("parseTemplate", () => {
  it.each([
    ["{{ foo.bar }}", 'unknown root "foo"'],
    ["{{ payload.a }}", 'unknown root "payload"'],
    ["{{ trigger.payload.a", "missing }}"],
    ["{{ }}", "expected a path"],
    ["{{ trigger.payload. }}", 'expected a field name after "trigger.payload."'],
    ["{{ trigger.payload.a b }}", "expected ?? or }}"],
    ["{{ trigger.payload.__proto__ }}", '"__proto__" cannot be used'],
    ["{{ trigger.payload.constructor.prototype }}", '"constructor" cannot be used'],
    ['{{ trigger.payload["prototype"] }}', '"prototype" cannot be used'],
    ["{{ step }}", "expected a step id"],
    ["{{ step.a.result }}", "use step.a.output or step.a.error"],
    ["{{ step.1a.output }}", "expected a step id"],
    ["{{ loop.value }}", "use loop.item or loop.index"],
    ["{{ loop.index.x }}", "loop.index is a number"],
    ["{{ trigger.payload.items[x] }}", 'expected [0] or ["name"]'],
    ['{{ trigger.payload ?? "unclosed }}', "missing its closing quote"],
    ['{{ trigger.payload ?? "\\q" }}', "unknown escape"],
    ["{{ trigger.payload ?? 12abc }}", "not a number"],
    ["{{ alert(1) }}", 'unknown root "alert"'],
    ["{{ trigger.payload.a ?? }}", "expected a path"],
  ])("%s is refused: %s", (template, reason) => {
    const error = catchError(() => parseTemplate(template));
    expect(error.code).toBe("E_TEMPLATE");
    expect(error.message).toContain(reason);
  });

  it("limits paths to 32 fields", () => {
    expect(() => parseTemplate(`{{trigger${".a".repeat(32)}}}`)).not.toThrow();
    expect(catchError(() => parseTemplate(`{{trigger${".a".repeat(33)}}}`)).message).toContain("limited to 32 fields");
  });

  it("limits a text to 200 expressions and 100,000 characters", () => {
    expect(() => parseTemplate("{{run.id}}".repeat(200))).not.toThrow();
    expect(catchError(() => parseTemplate("{{run.id}}".repeat(201))).message).toContain("more than 200 expressions");
    expect(catchError(() => parseTemplate("x".repeat(templateLimits.maxTemplateLength + 1))).message).toContain("longer than 100,000");
  });

  it("splits text and expressions, keeping each expression's source", () => {
    const template = parseTemplate('Dear {{ trigger.payload.name ?? "customer" }}, hi');
    expect(template.parts).toEqual([
      "Dear ",
      {
        source: '{{ trigger.payload.name ?? "customer" }}',
        operands: [
          { kind: "path", root: "trigger", path: ["payload", "name"] },
          { kind: "literal", value: "customer" },
        ],
      },
      ", hi",
    ]);
  });

  it("reads }} inside a text value as part of the value", () => {
    expect(interpolate('{{ step.x.output.y ?? "}}" }}', scope, { nodeId: "n" })).toBe("}}");
  });
});

describe("collectReferences", () => {
  it("lists every path read, with the step id and where it sits", () => {
    const config = {
      to: "{{step.fetch.output.customer.email}}",
      body: ["Hi {{trigger.payload.name}}, item {{loop.item.name}} ({{ step.a.output.x ?? run.id }})"],
      n: 5,
    };
    expect(collectReferences(config)).toEqual([
      { expression: "{{step.fetch.output.customer.email}}", root: "step", stepId: "fetch", path: ["output", "customer", "email"], location: ["to"] },
      { expression: "{{trigger.payload.name}}", root: "trigger", path: ["payload", "name"], location: ["body", 0] },
      { expression: "{{loop.item.name}}", root: "loop", path: ["item", "name"], location: ["body", 0] },
      { expression: "{{ step.a.output.x ?? run.id }}", root: "step", stepId: "a", path: ["output", "x"], location: ["body", 0] },
      { expression: "{{ step.a.output.x ?? run.id }}", root: "run", path: ["id"], location: ["body", 0] },
    ]);
  });

  it("throws on a malformed template, or reports every one and goes on when given onError", () => {
    const config = { a: "{{ nope }}", b: "{{ run.id }}", c: ["{{ step. }}"] };
    expect(() => collectReferences(config)).toThrow(WorkflowError);
    const errors: unknown[] = [];
    const references = collectReferences(config, { onError: (error, location) => errors.push(location) });
    expect(errors).toEqual([["a"], ["c", 0]]);
    expect(references.map((reference) => reference.root)).toEqual(["run"]);
  });
});
