import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { assertStorable, readJsonBody } from "@/lib/http/input";

type Handler<C> = (request: Request, context: C) => Promise<Response>;

/** The JSON error body every route answers with: {error: {code, message, remediation?, issues?}}. */
export function errorResponse(error: AppError): NextResponse {
  const headers: Record<string, string> = {};
  if (error.options.retryAfterSeconds) headers["Retry-After"] = String(error.options.retryAfterSeconds);
  return NextResponse.json({ error: error.toJSON() }, { status: error.status, headers });
}

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) {
    return new AppError("validation_failed", "The request is not valid", {
      issues: error.issues.map((issue) => ({ path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)), message: issue.message })),
    });
  }
  if (error instanceof SyntaxError) return new AppError("bad_request", `The body is not valid JSON: ${error.message}`);
  logger.error({ err: error }, "unhandled error in route");
  return new AppError("internal", "Something went wrong on our side", { remediation: "Try again; if it persists, check the server log." });
}

/** Path and query parameters pass the same gate as bodies (lib/http/input.ts) before a handler uses them. */
async function assertStorableAddress(request: Request, context: unknown): Promise<void> {
  const params = (context as { params?: Promise<unknown> } | undefined)?.params;
  if (params) assertStorable(await params, "path");
  assertStorable(Object.fromEntries(new URL(request.url).searchParams), "query");
}

/** Wraps a route handler so every failure becomes a JSON error with the right status. */
export function route<C = unknown>(handler: Handler<C>): Handler<C> {
  return async (request, context) => {
    try {
      await assertStorableAddress(request, context);
      return await handler(request, context);
    } catch (error) {
      return errorResponse(toAppError(error));
    }
  };
}

/** Reads a JSON body through the input gate: 413 over the limit, 400 when malformed, 422 for unstorable text. */
export const readJson = readJsonBody;
