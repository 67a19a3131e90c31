// Reading JSON people paste or type, with where it is broken. JSON.parse says where only inside
// its message, in words that differ between engines ("at position 42 (line 3 column 5)",
// "at line 3 column 5 of the JSON data"), and V8's "Unexpected token" names no place at all.

export type ParsedJson = { ok: true; value: unknown } | { ok: false; message: string };

export function parseJsonText(text: string): ParsedJson {
  if (text.trim() === "") return { ok: false, message: "Paste or type the JSON here" };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const place = locate(text, message);
    return { ok: false, message: `Invalid JSON${place ? ` at line ${place.line}, column ${place.column}` : ""}: ${reasonOf(message)}` };
  }
}

/** The engine's reason without its location or its quote of the text. */
function reasonOf(message: string): string {
  return message
    .replace(/^JSON\.parse: /, "")
    .replace(/, .*is not valid JSON$/s, "")
    .replace(/ (in JSON )?at (position|line) .*$/s, "")
    .replace(/\n/g, "\\n")
    .replace(/\t/g, "\\t");
}

function locate(text: string, message: string): { line: number; column: number } | null {
  const lineColumn = message.match(/line (\d+) column (\d+)/);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = message.match(/at position (\d+)/)?.[1];
  if (position !== undefined) return lineColumnAt(text, Number(position));
  if (/end of (JSON )?(input|data)/i.test(message)) return lineColumnAt(text, text.length);
  if (message.startsWith("Unexpected token")) return lineColumnAt(text, firstRefusedOffset(text));
  return null;
}

function lineColumnAt(text: string, offset: number) {
  const lines = text.slice(0, offset).split("\n");
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/**
 * The offset of the character V8 calls an unexpected token. A prefix that stops before it is at
 * worst unfinished (which V8 never reports as "Unexpected token"); any prefix that includes it
 * fails on it. So the shortest failing prefix ends with it, and bisection finds it.
 */
function firstRefusedOffset(text: string): number {
  const refused = (length: number) => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      return error instanceof Error && error.message.startsWith("Unexpected token");
    }
  };
  let fine = 0;
  let failing = text.length;
  while (failing - fine > 1) {
    const middle = Math.floor((fine + failing) / 2);
    if (refused(middle)) failing = middle;
    else fine = middle;
  }
  return failing - 1;
}
