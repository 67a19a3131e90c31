import { AppError, type FieldIssue } from "@/lib/errors";
import { logger } from "@/lib/log";
import { BODY_TOO_LARGE_MESSAGE, BODY_TOO_LARGE_REMEDIATION, MAX_BODY_BYTES } from "@/lib/http/limits";

// The one gate every piece of client input passes before lib/ sees it: route bodies, path and
// query parameters (lib/http/route.ts) and server action arguments (lib/auth/action.ts). It
// refuses what Postgres would refuse later with a 500 (a NUL character, a lone UTF-16 surrogate:
// neither can be stored in text or jsonb) and nesting deep enough to make later walkers recurse
// without end, and names where each one is.

export const inputLimits = {
  maxBodyBytes: MAX_BODY_BYTES,
  /** Definition configs allow 32 levels inside a body that is itself a few levels deep; payloads get the same room. */
  maxDepth: 64,
  /** Enough to say what is wrong without echoing thousands of problems back. */
  maxIssues: 20,
} as const;

export const tooLarge = () => new AppError("payload_too_large", BODY_TOO_LARGE_MESSAGE, { remediation: BODY_TOO_LARGE_REMEDIATION });

function textProblem(text: string): string | null {
  if (text.includes("\u0000")) return "contains a NUL character (\\u0000), which cannot be stored; remove it";
  if (!text.isWellFormed()) return "contains a lone UTF-16 surrogate (broken Unicode), which cannot be stored; send well-formed text";
  return null;
}

/** Every place in a JSON-like value that cannot be stored, at most maxIssues of them. */
export function inputIssues(value: unknown, root: (string | number)[] = []): FieldIssue[] {
  const issues: FieldIssue[] = [];
  // An explicit stack, so a hostile 100,000-level value cannot overflow ours either.
  const stack: { value: unknown; path: (string | number)[]; depth: number }[] = [{ value, path: root, depth: 1 }];
  while (stack.length > 0 && issues.length < inputLimits.maxIssues) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === "string") {
      const problem = textProblem(current);
      if (problem) issues.push({ path, message: `The text ${problem}` });
      continue;
    }
    if (typeof current !== "object" || current === null) continue;
    if (depth > inputLimits.maxDepth) {
      issues.push({ path, message: `Nested more than ${inputLimits.maxDepth} levels deep; flatten the data` });
      continue;
    }
    const entries: Iterable<readonly [string | number, unknown]> = Array.isArray(current) ? current.entries() : Object.entries(current);
    for (const [key, child] of entries) {
      const keyProblem = typeof key === "string" ? textProblem(key) : null;
      if (keyProblem) issues.push({ path: [...path, key], message: `The key ${keyProblem}` });
      else stack.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
  return issues.sort((a, b) => a.path.join(".").localeCompare(b.path.join(".")));
}

/** Throws a 422 naming every unstorable spot (where: "body", "path", "query", or nothing for action input). */
export function assertStorable(value: unknown, where?: string): void {
  const issues = inputIssues(value, where ? [where] : []);
  if (issues.length === 0) return;
  const first = issues[0]!;
  throw new AppError("validation_failed", `${first.path.length ? first.path.join(".") : "The input"}: ${first.message}`, { issues });
}

// Node's request stream fails with these when the client goes away before the body is complete.
const isClientAbort = (error: unknown) =>
  error instanceof Error && (error.message === "aborted" || (error as { code?: unknown }).code === "ECONNRESET" || error.name === "AbortError");

/**
 * Reads a request body as text within the size limit: a declared Content-Length over it is
 * refused before reading, a body that grows past it while streaming is cut off.
 */
export async function readBodyText(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (declared > inputLimits.maxBodyBytes) throw tooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > inputLimits.maxBodyBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (error) {
    if (!isClientAbort(error)) throw error;
    // Nobody is listening for the answer; this is the client's doing, not a fault of ours.
    logger.info({ url: new URL(request.url).pathname }, "client closed the connection before sending the whole body");
    throw new AppError("bad_request", "The request body was not received completely", { remediation: "Send the request again." });
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads a JSON body: 413 over the limit, 400 when malformed, 422 where it holds what cannot be stored. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const text = await readBodyText(request);
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AppError("bad_request", `The body is not valid JSON: ${(error as Error).message}`);
  }
  assertStorable(parsed, "body");
  return parsed;
}
