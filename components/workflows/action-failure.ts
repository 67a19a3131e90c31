import { useState } from "react";
import type { ActionResult } from "@/lib/auth/action";
import type { ProblemItem } from "@/components/workflows/problems";

export type ActionFailure = Extract<ActionResult<unknown>, { ok: false }>["error"];

/**
 * Wraps a server action to remember its last failure. useAction keeps one message per field,
 * but a refused definition comes with every problem in it, and a conflict needs its own answer.
 */
export function useLastFailure<I, T>(action: (input: I) => Promise<ActionResult<T>>) {
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const tracked = async (input: I) => {
    const result = await action(input);
    setFailure(result.ok ? null : result.error);
    return result;
  };
  return [tracked, failure, () => setFailure(null)] as const;
}

/** The problems of a definition the server refused (422), with paths inside the definition. */
export function definitionProblems(failure: ActionFailure | null): ProblemItem[] {
  if (failure?.code !== "validation_failed") return [];
  return (failure.issues ?? []).flatMap(({ path: [root, ...path], ...issue }) => (root === "definition" ? [{ ...issue, path }] : []));
}

/** JSON that does not parse, reported like the server reports a bad field, so it lands under the field. */
export function invalidJson(message: string): ActionResult<never> {
  return { ok: false, error: { code: "bad_request", message, issues: [{ path: ["definition"], message }] } };
}
