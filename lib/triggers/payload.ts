import { inputIssues, tooLarge } from "@/lib/http/input";

// Inbound calls are verified over their exact bytes (signatures), so they are read raw, within a
// limit; what they carry then passes the same storable-input check as every other request
// (lib/http/input.ts): no NUL, no lone surrogates, bounded nesting.

/** A request body as bytes, up to `limit`: a larger one is refused with 413 before it is all read. */
export async function readLimited(request: Request, limit: number): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length") ?? "");
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

/** The first thing in a payload that cannot be stored, said for people ("body.name: contains a NUL…"), or null. */
export function storableProblem(payload: unknown): string | null {
  const [first] = inputIssues(payload);
  return first ? `${first.path.join(".") || "the payload"}: ${first.message}` : null;
}
