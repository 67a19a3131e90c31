import { NextResponse } from "next/server";
import { z } from "zod";
import { authenticateApiKey } from "@/lib/auth/api-keys";
import { requireCaller } from "@/lib/auth/session";
import type { Caller } from "@/lib/auth/roles";
import { getDb, type Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { readJson, route } from "@/lib/http/route";

// A public API operation: one declaration drives request validation, the handler's types and the
// OpenAPI document (lib/api/openapi.ts), so the three cannot drift apart.
export type Operation<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> = {
  id: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** OpenAPI style, under /api/v1: "/workflows/{id}". */
  path: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * What clients should send, for the OpenAPI document, when `body` deliberately accepts more:
   * definitions are parsed loosely so that validation can report every problem, not zod's first.
   */
  documentedBody?: z.ZodType;
  response: R;
  /**
   * Not JSON: a multipart upload (the named file field) or a file download (the handler returns a
   * Response itself), as the OpenAPI document describes them.
   */
  upload?: { field: string; description: string };
  download?: { description: string };
  status?: number;
  /** Error statuses this operation answers besides 401 and 400 (documented in OpenAPI). */
  errors?: number[];
};

export function defineOperation<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(op: Operation<P, Q, B, R>) {
  return op;
}

type Input<S> = S extends z.ZodType ? z.output<S> : undefined;
export type OperationContext<O extends Operation> = {
  db: Db;
  caller: Caller;
  params: Input<NonNullable<O["params"]>>;
  query: Input<NonNullable<O["query"]>>;
  body: Input<NonNullable<O["body"]>>;
  request: Request;
};

function parseWith<S extends z.ZodType>(schema: S | undefined, value: unknown, where: string) {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError("validation_failed", `The ${where} is not valid`, {
    issues: result.error.issues.map((issue) => ({ path: [where, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))], message: issue.message })),
  });
}

/**
 * API keys for integrations; the app's own pages (signed-in people, no Authorization header)
 * call the same endpoints with their session, e.g. to follow a run live.
 */
async function authenticate(db: Db, request: Request): Promise<Caller> {
  const authorization = request.headers.get("authorization");
  if (authorization) return authenticateApiKey(db, authorization);
  const caller = await requireCaller().catch(() => null);
  return caller ?? authenticateApiKey(db, null);
}

/** The route handler for an operation: API-key auth, validated input, JSON output, JSON errors. */
export function handle<O extends Operation>(
  op: O,
  fn: (ctx: OperationContext<O>) => Promise<z.input<O["response"]> | (O["download"] extends object ? Response : never)>,
) {
  return route(async (request: Request, context: { params?: Promise<Record<string, string | string[]>> }) => {
    const db = await getDb();
    const caller = await authenticate(db, request);
    const params = parseWith(op.params, (await context?.params) ?? {}, "path");
    const query = parseWith(op.query, Object.fromEntries(new URL(request.url).searchParams), "query");
    const body = op.body ? parseWith(op.body, await readJson(request), "body") : undefined;
    const result = await fn({ db, caller, params, query, body, request } as OperationContext<O>);
    if (op.download && result instanceof Response) return result;
    // Resources that carry an etag can be polled cheaply: an unchanged one answers 304, no body.
    const etag = typeof result === "object" && result !== null && "etag" in result && typeof result.etag === "string" ? result.etag : null;
    if (etag && request.headers.get("if-none-match") === etag) return new NextResponse(null, { status: 304, headers: { ETag: etag } });
    return NextResponse.json(result, { status: op.status ?? 200, headers: etag ? { ETag: etag, "Cache-Control": "no-cache" } : {} });
  });
}
