import { ZodError } from "zod";
import { AppError } from "@/lib/errors";
import { toAppError } from "@/lib/http/route";
import { WorkflowError } from "@/lib/workflow/errors";

/** The error a promise rejects with, of the expected kind; fails the test when it resolves or throws something else. */
export async function failure<E extends Error>(promise: Promise<unknown>, kind: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof kind) return error;
    throw error;
  }
  throw new Error(`expected a ${kind.name}`);
}

/** An AppError, with zod validation failures mapped the way routes and actions map them (422 with issues). */
export const appFailure = (promise: Promise<unknown>) =>
  failure(
    promise.catch((error: unknown) => Promise.reject(error instanceof ZodError ? toAppError(error) : error)),
    AppError,
  );

export const workflowFailure = (promise: Promise<unknown>) => failure(promise, WorkflowError);
