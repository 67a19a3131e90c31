import { definitionLimits, NODE_ID_PATTERN } from "./definition";
import { WorkflowError } from "./errors";
import { isPlainObject, PROTOTYPE_KEYS, type JsonPath } from "./json";

// The one interpolation engine: {{…}} expressions in string values of a config. A hand-written
// parser, no evaluation of code: an expression is a path into the run's data, optionally followed
// by ?? fallbacks. Property access goes only through own properties of plain objects and arrays,
// so nothing can reach a prototype.

export const templateLimits = {
  maxTemplateLength: 100_000,
  maxExpressions: 200,
  maxPathDepth: 32,
  maxOutputLength: 1_000_000,
} as const;

export type TemplateRoot = "trigger" | "step" | "loop" | "run";
const roots: readonly TemplateRoot[] = ["trigger", "step", "loop", "run"];

/** A path after its root; for `step` the step id is apart: step.a.output.x → stepId "a", path ["output", "x"]. */
export type PathOperand = { kind: "path"; root: TemplateRoot; stepId?: string; path: string[] };
export type LiteralOperand = { kind: "literal"; value: string | number | boolean | null };
/** `{{ a ?? b ?? "c" }}`: the first operand that is present and not null wins. */
export type Expression = { source: string; operands: (PathOperand | LiteralOperand)[] };
export type Template = { parts: (string | Expression)[] };

export type TemplateReference = {
  expression: string;
  root: TemplateRoot;
  stepId?: string;
  path: string[];
  /** Where the string holding the expression sits inside the scanned value. */
  location: JsonPath;
};

/** The run's data an expression can read. Objects must be plain (JSON-like) to be walked. */
export type InterpolationScope = {
  /** type: the definition's trigger type; source: where a manual start came from ("ui", "api", "cli"). */
  trigger: { type: string; source?: string | null; payload: unknown };
  /** Results of the steps that finished, by node id; steps not run or skipped are absent. */
  steps: Readonly<Record<string, { output?: unknown; error?: unknown }>>;
  /** The innermost loop's current item, inside a loop body. */
  loop?: { item: unknown; index: number };
  run: { id: string } & Readonly<Record<string, unknown>>;
};

export type InterpolateOptions = {
  nodeId: string;
  /**
   * "error" (default): a missing value throws E_TEMPLATE. "undefined": it resolves to undefined
   * (or "" inside text), which conditions use so that `exists` can be false.
   */
  missing?: "error" | "undefined";
};

export function parseTemplate(text: string): Template {
  if (text.length > templateLimits.maxTemplateLength) {
    throw new WorkflowError("E_TEMPLATE", {
      message: `The text is longer than ${templateLimits.maxTemplateLength.toLocaleString("en")} characters`,
      details: { length: text.length },
    });
  }
  return new TemplateParser(text).parse();
}

/** The expression a text consists of alone, if it does: its value then keeps its JSON type. */
export function singleExpression(template: Template): Expression | undefined {
  const [only] = template.parts;
  return template.parts.length === 1 && typeof only === "object" ? only : undefined;
}

/**
 * Resolves every string inside `value` (objects and arrays are walked, keys are not templates).
 * A string that is exactly one expression becomes the value itself; mixed text is stringified.
 * The input is never changed; parts of it without expressions are returned as they are.
 */
export function interpolate(value: unknown, scope: InterpolationScope, options: InterpolateOptions): unknown {
  const data: Record<TemplateRoot, unknown> = { trigger: scope.trigger, step: scope.steps, loop: scope.loop, run: scope.run };
  const lenient = options.missing === "undefined";
  const atNode = (error: WorkflowError, location: Location) => {
    const path = pathOf(location);
    const where = path.length === 0 ? "" : `, at ${path.join(".")}`;
    return new WorkflowError(error.code, {
      message: `${error.message} (node "${options.nodeId}"${where})`,
      nodeId: options.nodeId,
      details: { ...error.details, location: path },
    });
  };

  return mapStrings(
    value,
    (text, location) => {
      let template: Template;
      try {
        template = parseTemplate(text);
      } catch (error) {
        throw error instanceof WorkflowError ? atNode(error, location) : error;
      }
      const resolve = (expression: Expression, inText: boolean): unknown => {
        const resolved = evaluate(expression, data);
        if (resolved !== MISSING) return resolved;
        if (lenient) return inText ? "" : undefined;
        throw atNode(missingError(expression, data), location);
      };
      const only = singleExpression(template);
      if (only) return resolve(only, false);
      let output = "";
      for (const part of template.parts) {
        output += typeof part === "string" ? part : textOf(resolve(part, true));
        if (output.length > templateLimits.maxOutputLength) {
          throw atNode(
            new WorkflowError("E_TEMPLATE", { message: `The text would be longer than ${templateLimits.maxOutputLength.toLocaleString("en")} characters` }),
            location,
          );
        }
      }
      return output;
    },
    (location) => {
      throw atNode(tooDeep(), location);
    },
  );
}

/**
 * Lists every path an expression inside `value` reads. A malformed template or a value nested too
 * deeply throws E_TEMPLATE, unless `onError` is given: then it is reported and the scan goes on.
 */
export function collectReferences(value: unknown, options: { onError?: (error: WorkflowError, location: JsonPath) => void } = {}): TemplateReference[] {
  const references: TemplateReference[] = [];
  const fail = (error: WorkflowError, location: Location) => {
    if (!options.onError) throw error;
    options.onError(error, pathOf(location));
  };
  mapStrings(
    value,
    (text, location) => {
      let template: Template;
      try {
        template = parseTemplate(text);
      } catch (error) {
        if (!(error instanceof WorkflowError)) throw error;
        fail(error, location);
        return text;
      }
      const expressions = template.parts.filter((part) => typeof part === "object");
      if (expressions.length === 0) return text;
      const at = pathOf(location);
      for (const expression of expressions) {
        for (const operand of expression.operands) {
          if (operand.kind !== "path") continue;
          const { root, stepId, path } = operand;
          references.push({ expression: expression.source, root, ...(stepId !== undefined ? { stepId } : {}), path, location: at });
        }
      }
      return text;
    },
    (location) => fail(tooDeep(), location),
  );
  return references;
}

/** A place in a value, built child by child without copying; made an array only when reported. */
type Location = { parent: Location; key: string | number } | undefined;

function pathOf(location: Location): JsonPath {
  const path: JsonPath = [];
  for (let at = location; at; at = at.parent) path.push(at.key);
  return path.reverse();
}

// Copy on write: a value without expressions comes back as it is, so a scan allocates nothing.
function mapStrings(
  value: unknown,
  onString: (text: string, location: Location) => unknown,
  onTooDeep: (location: Location) => void,
  location: Location = undefined,
  depth = 1,
): unknown {
  if (typeof value === "string") return onString(value, location);
  if (!Array.isArray(value) && !isPlainObject(value)) return value;
  if (depth > definitionLimits.maxConfigDepth) {
    onTooDeep(location);
    return value;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const mapped = mapStrings(item, onString, onTooDeep, { parent: location, key: i }, depth + 1);
      if (copy) copy.push(mapped);
      else if (mapped !== item) copy = [...value.slice(0, i), mapped];
    }
    return copy ?? value;
  }
  const keys = Object.keys(value);
  let entries: [string, unknown][] | undefined;
  for (const [i, key] of keys.entries()) {
    const item = value[key];
    const mapped = mapStrings(item, onString, onTooDeep, { parent: location, key }, depth + 1);
    if (entries) entries.push([key, mapped]);
    else if (mapped !== item) entries = [...keys.slice(0, i).map((earlier): [string, unknown] => [earlier, value[earlier]]), [key, mapped]];
  }
  // fromEntries defines properties, so even a "__proto__" key stays a plain key of the copy.
  return entries ? Object.fromEntries(entries) : value;
}

const tooDeep = () => new WorkflowError("E_TEMPLATE", { message: `The value is nested more than ${definitionLimits.maxConfigDepth} levels deep` });

const MISSING: unique symbol = Symbol("missing");

function evaluate(expression: Expression, data: Record<TemplateRoot, unknown>): unknown {
  let value: unknown = MISSING;
  for (const operand of expression.operands) {
    value = operand.kind === "literal" ? operand.value : lookup(data, operand).value;
    if (value !== MISSING && value !== null) return value;
  }
  // The last operand decides: a null it found is a value, a miss is a miss.
  return value;
}

/** Walks a path; `failedAt` is the index of the segment that found nothing, -1 when all did. */
function lookup(data: Record<TemplateRoot, unknown>, operand: PathOperand): { value: unknown; segments: string[]; failedAt: number } {
  const segments = operand.stepId !== undefined ? [operand.stepId, ...operand.path] : operand.path;
  let current = data[operand.root];
  for (const [i, segment] of segments.entries()) {
    current = child(current, segment);
    if (current === MISSING) return { value: MISSING, segments, failedAt: i };
  }
  return { value: current === undefined ? MISSING : current, segments, failedAt: -1 };
}

function child(value: unknown, segment: string): unknown {
  let found: unknown;
  if (Array.isArray(value)) found = /^(0|[1-9]\d*)$/.test(segment) ? (value[Number(segment)] as unknown) : undefined;
  else if (isPlainObject(value) && Object.hasOwn(value, segment)) found = value[segment];
  return found === undefined ? MISSING : found;
}

function missingError(expression: Expression, data: Record<TemplateRoot, unknown>): WorkflowError {
  const last = expression.operands[expression.operands.length - 1];
  let reason = "it found nothing";
  if (last?.kind === "path") {
    const { segments, failedAt } = lookup(data, last);
    const reached = [last.root, ...segments.slice(0, Math.max(failedAt, 0))].join(".");
    if (last.root === "step" && failedAt === 0) reason = `step "${last.stepId}" has no result: it did not run before this node, or was skipped`;
    else if (last.root === "loop" && data.loop === undefined) reason = "{{loop.…}} only has a value inside a loop body";
    else if (failedAt >= 0 && failedAt < segments.length) reason = `"${reached}" has no "${segments[failedAt]}"`;
  }
  return new WorkflowError("E_TEMPLATE", { message: `${expression.source}: ${reason}`, details: { expression: expression.source } });
}

function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}

const STRING_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "'": "'" };

class TemplateParser {
  private pos = 0;
  private open = 0;

  constructor(private readonly text: string) {}

  parse(): Template {
    const parts: Template["parts"] = [];
    let literal = "";
    let expressions = 0;
    while (this.pos < this.text.length) {
      const open = this.text.indexOf("{{", this.pos);
      if (open === -1) {
        literal += this.text.slice(this.pos);
        break;
      }
      // \{{ writes a literal {{
      if (this.text[open - 1] === "\\") {
        literal += `${this.text.slice(this.pos, open - 1)}{{`;
        this.pos = open + 2;
        continue;
      }
      literal += this.text.slice(this.pos, open);
      this.open = open;
      if (++expressions > templateLimits.maxExpressions) this.fail(`more than ${templateLimits.maxExpressions} expressions in one text`);
      if (literal) parts.push(literal);
      literal = "";
      this.pos = open + 2;
      parts.push(this.expression());
    }
    if (literal) parts.push(literal);
    return { parts };
  }

  private expression(): Expression {
    const operands = [this.operand()];
    this.skipSpaces();
    while (this.text.startsWith("??", this.pos)) {
      this.pos += 2;
      operands.push(this.operand());
      this.skipSpaces();
    }
    if (!this.text.startsWith("}}", this.pos)) {
      this.fail(this.pos >= this.text.length ? "missing }} at the end" : `expected ?? or }} at "${this.text.slice(this.pos, this.pos + 10)}"`);
    }
    this.pos += 2;
    return { source: this.text.slice(this.open, this.pos), operands };
  }

  private operand(): PathOperand | LiteralOperand {
    this.skipSpaces();
    const char = this.text[this.pos];
    if (char === '"' || char === "'") return { kind: "literal", value: this.stringLiteral(char) };
    if (char !== undefined && /[-0-9]/.test(char)) return { kind: "literal", value: this.numberLiteral() };
    const word = this.take(/[A-Za-z_][A-Za-z0-9_]*/y);
    if (word === undefined) this.fail(char === undefined || char === "}" ? "expected a path like trigger.payload.x, or a value" : `unexpected "${char}"`);
    if (word === "true" || word === "false") return { kind: "literal", value: word === "true" };
    if (word === "null") return { kind: "literal", value: null };
    const root = roots.find((name) => name === word);
    if (root === undefined) this.fail(`unknown root "${word}": an expression starts with trigger, step, loop or run`);
    return this.path(root);
  }

  private path(root: TemplateRoot): PathOperand {
    const segments: string[] = [];
    for (;;) {
      let segment: string | undefined;
      if (this.text[this.pos] === ".") {
        this.pos++;
        segment = this.take(/[A-Za-z0-9_$-]+/y);
        if (segment === undefined) this.fail(`expected a field name after "${root}${segments.map((s) => `.${s}`).join("")}."`);
      } else if (this.text[this.pos] === "[") {
        this.pos++;
        const quote = this.text[this.pos];
        segment = quote === '"' || quote === "'" ? this.stringLiteral(quote) : this.take(/\d+/y);
        if (segment === undefined || this.text[this.pos] !== "]") this.fail('expected [0] or ["name"]');
        this.pos++;
      } else break;
      if (PROTOTYPE_KEYS.has(segment)) this.fail(`"${segment}" cannot be used in a path`);
      segments.push(segment);
      if (segments.length > templateLimits.maxPathDepth) this.fail(`a path is limited to ${templateLimits.maxPathDepth} fields`);
    }
    return this.shaped(root, segments);
  }

  /** Roots with a fixed shape are checked here, so save-time validation catches their typos. */
  private shaped(root: TemplateRoot, segments: string[]): PathOperand {
    if (root === "step") {
      const [stepId, field] = segments;
      if (stepId === undefined || !NODE_ID_PATTERN.test(stepId)) this.fail("expected a step id, like step.send_email.output");
      if (field !== "output" && field !== "error") this.fail(`use step.${stepId}.output or step.${stepId}.error`);
      return { kind: "path", root, stepId, path: segments.slice(1) };
    }
    if (root === "loop") {
      const [field] = segments;
      if (field !== "item" && field !== "index") this.fail("use loop.item or loop.index");
      if (field === "index" && segments.length > 1) this.fail("loop.index is a number and has no fields");
    }
    return { kind: "path", root, path: segments };
  }

  private stringLiteral(quote: string): string {
    this.pos++;
    let value = "";
    while (this.pos < this.text.length) {
      const char = this.text[this.pos++];
      if (char === quote) return value;
      if (char === "\\") {
        const escaped = STRING_ESCAPES[this.text[this.pos++] ?? ""];
        if (escaped === undefined) this.fail("unknown escape in a text value; use \\\\, \\\", \\', \\n, \\t or \\r");
        value += escaped;
      } else value += char;
    }
    return this.fail("a text value is missing its closing quote");
  }

  private numberLiteral(): number {
    const number = this.take(/-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?(?![A-Za-z0-9_.$-])/y);
    if (number === undefined) this.fail("not a number");
    return Number(number);
  }

  private take(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const match = pattern.exec(this.text);
    if (!match) return undefined;
    this.pos = pattern.lastIndex;
    return match[0];
  }

  private skipSpaces(): void {
    while (this.text[this.pos] === " " || this.text[this.pos] === "\t" || this.text[this.pos] === "\n") this.pos++;
  }

  private fail(reason: string): never {
    const close = this.text.indexOf("}}", this.open);
    const end = close === -1 ? Math.min(this.text.length, this.open + 80) : close + 2;
    const expression = this.text.slice(this.open, end);
    throw new WorkflowError("E_TEMPLATE", {
      message: `Invalid expression ${expression}: ${reason}`,
      details: { expression, position: this.pos },
    });
  }
}
