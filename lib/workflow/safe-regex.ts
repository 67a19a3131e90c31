import { WorkflowError } from "./errors";

// Guards the `matches` operator. JavaScript regexes backtrack, and a person writing a workflow can
// write a pattern that takes minutes on a 10,000-character input (measured: .*.*x takes ~5 min on
// Node 20), stalling the runner for every company. So patterns are checked before they run:
//  - no backreferences;
//  - no repeated group that itself repeats or has alternatives: (a+)+, (a*)*, (a|a)*;
//  - at most two variable-length parts that can match the same characters in a row, counting the
//    implicit "try every start position" of a pattern that does not begin with ^. Each such part
//    multiplies the work by the input length: two stay near 10^8 simple steps at 10k characters,
//    three are 10^12.
// The check works on over-approximated character sets, so it refuses some harmless patterns,
// never the other way round.

export const patternLimits = { maxPatternLength: 200, maxInputLength: 10_000 } as const;

/** Why a pattern may not be used with `matches`, or undefined when it may. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length > patternLimits.maxPatternLength) {
    return `The pattern is longer than ${patternLimits.maxPatternLength} characters`;
  }
  try {
    new RegExp(pattern);
  } catch (error) {
    return `The pattern is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`;
  }
  try {
    const alternatives = new PatternParser(pattern).parse();
    refuseNestedRepetition(alternatives);
    const work = Math.max(...alternatives.map((sequence) => overlapDegree([sequence]) + (startsAnchored(sequence) ? 0 : 1)));
    if (work > 2) {
      return (
        "The pattern has several parts in a row that can match the same text (like .*.* or \\S+@\\S+\\.\\S+), " +
        "which can take very long on some inputs. Make neighbouring parts unable to match the same characters " +
        "(for example [^@]+@[^.]+ instead of .+@.+), or start the pattern with ^"
      );
    }
    return undefined;
  } catch (error) {
    if (error instanceof PatternRefused) return error.message;
    throw error;
  }
}

/** Compiles a pattern for `matches`; throws E_VALIDATION with the reason when it is refused. */
export function compileSafePattern(pattern: string): RegExp {
  const problem = patternProblem(pattern);
  if (problem !== undefined) {
    throw new WorkflowError("E_VALIDATION", {
      message: problem,
      remediation: "Simplify the pattern of the matches condition",
      details: { pattern },
    });
  }
  return new RegExp(pattern);
}

class PatternRefused extends Error {}

// Bits 0..127 are ASCII characters; bit 128 stands for "some character above U+007F".
type CharSet = bigint;
const NON_ASCII: CharSet = 1n << 128n;
const ALL_ASCII: CharSet = NON_ASCII - 1n;
const single = (code: number): CharSet => (code < 128 ? 1n << BigInt(code) : NON_ASCII);
const range = (from: number, to: number): CharSet => {
  const ascii = from < 128 ? ((1n << BigInt(Math.min(to, 127) + 1)) - 1n) ^ ((1n << BigInt(from)) - 1n) : 0n;
  return to >= 128 ? ascii | NON_ASCII : ascii;
};
// A negated set always keeps non-ASCII characters: [^é] still matches most of them.
const complement = (set: CharSet): CharSet => (ALL_ASCII & ~set) | NON_ASCII;
const DIGIT = range(48, 57);
const WORD = DIGIT | range(65, 90) | range(97, 122) | single(95);
const SPACE = [9, 10, 11, 12, 13, 32].reduce((set, code) => set | single(code), NON_ASCII);
const DOT = complement(single(10) | single(13));
const classEscapes: Record<string, CharSet> = { d: DIGIT, D: complement(DIGIT), w: WORD, W: complement(WORD), s: SPACE, S: complement(SPACE) };
const charEscapes: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11, "0": 0 };

type Term =
  | { kind: "chars"; set: CharSet; min: number; max: number }
  | { kind: "group"; alternatives: Term[][]; lookaround: boolean; min: number; max: number }
  | { kind: "anchor"; start: boolean };

// Parses only what the analysis needs; the pattern already compiled, so its syntax is valid.
class PatternParser {
  private pos = 0;
  constructor(private readonly pattern: string) {}

  parse(): Term[][] {
    return this.alternation();
  }

  private alternation(): Term[][] {
    const alternatives = [this.sequence()];
    while (this.pattern[this.pos] === "|") {
      this.pos++;
      alternatives.push(this.sequence());
    }
    return alternatives;
  }

  private sequence(): Term[] {
    const terms: Term[] = [];
    while (this.pos < this.pattern.length && this.pattern[this.pos] !== "|" && this.pattern[this.pos] !== ")") {
      const atom = this.atom();
      const quantifier = this.quantifier();
      terms.push(quantifier && atom.kind !== "anchor" ? { ...atom, ...quantifier } : atom);
    }
    return terms;
  }

  private atom(): Term {
    const char = this.pattern[this.pos++] ?? "";
    if (char === "^" || char === "$") return { kind: "anchor", start: char === "^" };
    if (char === ".") return { kind: "chars", set: DOT, min: 1, max: 1 };
    if (char === "[") return { kind: "chars", set: this.characterClass(), min: 1, max: 1 };
    if (char === "(") return this.group();
    if (char === "\\") {
      const escaped = this.escape(false);
      return escaped === "boundary" ? { kind: "anchor", start: false } : { kind: "chars", set: escaped.set, min: 1, max: 1 };
    }
    return { kind: "chars", set: single(char.charCodeAt(0)), min: 1, max: 1 };
  }

  private group(): Term {
    const rest = this.pattern.slice(this.pos, this.pos + 3);
    const lookaround = /^\?(=|!|<=|<!)/.exec(rest)?.[0];
    if (lookaround) this.pos += lookaround.length;
    else if (rest.startsWith("?:")) this.pos += 2;
    else if (rest.startsWith("?<")) this.pos = this.pattern.indexOf(">", this.pos) + 1; // a named group
    const alternatives = this.alternation();
    this.pos++; // ")"
    return { kind: "group", alternatives, lookaround: lookaround !== undefined, min: 1, max: 1 };
  }

  private quantifier(): { min: number; max: number } | undefined {
    const char = this.pattern[this.pos];
    let bounds: { min: number; max: number } | undefined;
    if (char === "*") bounds = { min: 0, max: Infinity };
    else if (char === "+") bounds = { min: 1, max: Infinity };
    else if (char === "?") bounds = { min: 0, max: 1 };
    if (bounds) this.pos++;
    else if (char === "{") {
      const braces = /\{(\d+)(,(\d*))?\}/y;
      braces.lastIndex = this.pos;
      const match = braces.exec(this.pattern);
      if (!match) return undefined; // a literal "{"
      this.pos = braces.lastIndex;
      const min = Number(match[1]);
      bounds = { min, max: match[2] === undefined ? min : match[3] ? Number(match[3]) : Infinity };
    }
    if (bounds && this.pattern[this.pos] === "?") this.pos++; // lazy: the same backtracking, in another order
    return bounds;
  }

  private characterClass(): CharSet {
    const negated = this.pattern[this.pos] === "^";
    if (negated) this.pos++;
    let set = 0n;
    while (this.pos < this.pattern.length && this.pattern[this.pos] !== "]") {
      const from = this.classAtom();
      if (this.pattern[this.pos] === "-" && this.pos + 1 < this.pattern.length && this.pattern[this.pos + 1] !== "]") {
        this.pos++;
        const to = this.classAtom();
        set |= from.code !== undefined && to.code !== undefined ? range(from.code, to.code) : from.set | to.set | single(45);
      } else set |= from.set;
    }
    this.pos++; // "]"
    return negated ? complement(set) : set;
  }

  private classAtom(): { set: CharSet; code?: number } {
    const char = this.pattern[this.pos++] ?? "";
    if (char !== "\\") return this.literal(char.charCodeAt(0));
    const escaped = this.escape(true);
    return escaped === "boundary" ? this.literal(8) : escaped;
  }

  private escape(inClass: boolean): { set: CharSet; code?: number } | "boundary" {
    const char = this.pattern[this.pos++] ?? "";
    if (/[1-9]/.test(char) || (char === "k" && this.pattern[this.pos] === "<")) {
      throw new PatternRefused("Backreferences (\\1, \\k<name>) are not allowed in patterns: they can take exponential time");
    }
    if (char === "b" || char === "B") return inClass && char === "b" ? this.literal(8) : "boundary";
    const classSet = classEscapes[char];
    if (classSet !== undefined) return { set: classSet };
    const code = charEscapes[char];
    if (code !== undefined) return this.literal(code);
    const hexLength = char === "x" ? 2 : char === "u" ? 4 : 0;
    const hex = this.pattern.slice(this.pos, this.pos + hexLength);
    if (hexLength > 0 && /^[0-9a-fA-F]+$/.test(hex) && hex.length === hexLength) {
      this.pos += hexLength;
      return this.literal(parseInt(hex, 16));
    }
    if (char === "c" && /[A-Za-z]/.test(this.pattern[this.pos] ?? "")) {
      return this.literal(this.pattern.charCodeAt(this.pos++) % 32);
    }
    return this.literal(char.charCodeAt(0));
  }

  private literal(code: number): { set: CharSet; code: number } {
    return { set: single(code), code };
  }
}

function refuseNestedRepetition(alternatives: Term[][]): void {
  for (const term of alternatives.flat()) {
    if (term.kind !== "group") continue;
    if (term.max > 1 && isAmbiguous(term.alternatives)) {
      throw new PatternRefused(
        "The pattern repeats a group that itself repeats or has alternatives, like (a+)+ or (a|b)*, which can take " +
          "exponential time. Repeat a character class instead, like [ab]*",
      );
    }
    refuseNestedRepetition(term.alternatives);
  }
}

/** Whether the text a group matches can be split or chosen in more than one way. */
function isAmbiguous(alternatives: Term[][]): boolean {
  return (
    alternatives.length > 1 ||
    alternatives
      .flat()
      .some((term) => (term.kind === "chars" && term.min !== term.max) || (term.kind === "group" && (term.min !== term.max || isAmbiguous(term.alternatives))))
  );
}

const startsAnchored = (sequence: Term[]) => sequence[0]?.kind === "anchor" && sequence[0].start;

function unionOf(alternatives: Term[][]): CharSet {
  return alternatives
    .flat()
    .reduce((set, term) => (term.kind === "chars" ? set | term.set : term.kind === "group" ? set | unionOf(term.alternatives) : set), 0n);
}

type Element = { set: CharSet; variable: boolean; optional: boolean };

/** The longest run of variable-length parts that can match the same characters, in any alternative. */
function overlapDegree(alternatives: Term[][]): number {
  return Math.max(
    0,
    ...alternatives.map((sequence) => {
      const elements: Element[] = [];
      const inner: number[] = [];
      flatten(sequence, false, elements, inner);
      return Math.max(longestOverlap(elements), ...inner);
    }),
  );
}

// Turns a sequence into consuming elements: plain groups are inlined, repeated groups become one
// variable element, alternations one element (their own runs are measured apart, in `inner`).
function flatten(sequence: Term[], optional: boolean, elements: Element[], inner: number[]): void {
  for (const term of sequence) {
    if (term.kind === "anchor" || term.max === 0) continue;
    const termOptional = optional || term.min === 0;
    if (term.kind === "chars") {
      elements.push({ set: term.set, variable: termOptional || term.min !== term.max, optional: termOptional });
    } else if (term.lookaround) {
      inner.push(overlapDegree(term.alternatives));
    } else if (term.max > 1) {
      elements.push({ set: unionOf(term.alternatives), variable: true, optional: termOptional });
    } else if (term.alternatives.length === 1 && term.alternatives[0] !== undefined) {
      flatten(term.alternatives[0], termOptional, elements, inner);
    } else {
      inner.push(overlapDegree(term.alternatives));
      elements.push({ set: unionOf(term.alternatives), variable: true, optional: termOptional });
    }
  }
}

function longestOverlap(elements: Element[]): number {
  let longest = 0;
  let length = 0;
  let set: CharSet = 0n;
  for (const element of elements) {
    if (element.variable) {
      if (length > 0 && (element.set & set) !== 0n) {
        length++;
        set |= element.set;
      } else if (length > 0 && element.optional) {
        set |= element.set; // it may match nothing, so the parts around it can still meet
      } else {
        length = 1;
        set = element.set;
      }
      longest = Math.max(longest, length);
    } else if ((element.set & set) === 0n) {
      // A required character the run cannot match separates the parts before it from those after.
      length = 0;
      set = 0n;
    }
  }
  return longest;
}
