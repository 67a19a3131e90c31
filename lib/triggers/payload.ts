import { AppError } from "@/lib/errors";

// What an inbound event may carry into the database: Postgres refuses NUL characters and lone
// UTF-16 surrogates in text and JSON, and deep nesting costs every reader. Checked once, here,
// for every trigger, so a hostile sender gets a 400 naming the spot instead of a 500.

const MAX_DEPTH = 64;

export function storableProblem(value: unknown): string | null {
  const visit = (current: unknown, path: string, depth: number): string | null => {
    if (typeof current === "string") return current.includes("\u0000") ? `${path || "the body"} holds a NUL character` : current.isWellFormed() ? null : `${path || "the body"} holds an unpaired UTF-16 surrogate`;
    if (typeof current !== "object" || current === null) return null;
    if (depth > MAX_DEPTH) return `${path || "the body"} is nested more than ${MAX_DEPTH} levels deep`;
    for (const [key, child] of Object.entries(current)) {
      const keyProblem = visit(key, `${path}.${key}`, depth);
      if (keyProblem) return `a key at ${path || "the top"} holds a NUL character or an unpaired surrogate`;
      const problem = visit(child, `${path}${Array.isArray(current) ? `[${key}]` : `.${key}`}`, depth + 1);
      if (problem) return problem;
    }
    return null;
  };
  return visit(value, "", 1);
}

/** Reads a request body up to `limit` bytes: a larger one is refused with 413 before it is all read. */
export async function readLimited(request: Request, limit: number): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length") ?? "");
  const tooLarge = () => new AppError("payload_too_large", `The body is larger than ${limit / 1_000_000} MB`, { remediation: "Send less data per call, or a link to the data" });
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!request.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
