import { revalidatePath } from "next/cache";
import { getDb, type Db } from "@/lib/db";
import type { AppErrorCode, FieldIssue } from "@/lib/errors";
import { toAppError } from "@/lib/http/route";
import { assertStorable } from "@/lib/http/input";
import { getSessionUserId, requireCaller, scopedCaller } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/roles";

/** What every server action returns: data, or an error the form can show field by field. */
export type ActionResult<T> =
  { ok: true; data: T } | { ok: false; error: { code: AppErrorCode; message: string; remediation?: string; issues?: FieldIssue[] } };

// Action arguments pass the same input gate as route bodies (lib/http/input.ts) before `run` sees them.
async function settle<T>(input: unknown, fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    assertStorable(input);
    return { ok: true, data: await fn() };
  } catch (error) {
    const appError = toAppError(error);
    return { ok: false, error: appError.toJSON() };
  }
}

// Pages show fresh data after a mutation; outside a request (CLI, tests) there is nothing to refresh.
function refreshPages() {
  if (!scopedCaller()) revalidatePath("/", "layout");
}

/**
 * A server action acting for the signed-in user's current company. Input is validated by `run`.
 * `refresh: false` leaves the pages as they are: the response then carries no page rendered again,
 * for a caller that refreshes when it suits it (the editor's autosave, components/editor/use-autosave.ts).
 */
export function companyAction<I, T>(run: (db: Db, caller: Caller, input: I) => Promise<T>, options: { refresh?: boolean } = {}) {
  return (input: I): Promise<ActionResult<T>> =>
    settle(input, async () => {
      const caller = await requireCaller();
      const result = await run(await getDb(), caller, input);
      if (options.refresh !== false) refreshPages();
      return result;
    });
}

/** A server action that needs no session (sign-up). */
export function publicAction<I, T>(run: (db: Db, input: I) => Promise<T>) {
  return (input: I): Promise<ActionResult<T>> => settle(input, async () => run(await getDb(), input));
}

/** A server action for a signed-in person, whatever company they are in (switching, creating one). */
export function userAction<I, T>(run: (db: Db, userId: string, input: I) => Promise<T>) {
  return (input: I): Promise<ActionResult<T>> =>
    settle(input, async () => {
      const userId = scopedCaller()?.userId ?? (await getSessionUserId());
      if (!userId) throw new AppError("unauthenticated", "Sign in to continue");
      const result = await run(await getDb(), userId, input);
      refreshPages();
      return result;
    });
}
