"use client";

import { useEffect, useRef, useState, useTransition, type FormEvent } from "react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/auth/action";

/** Error messages by form field name (the first segment of each issue's path). */
export type FieldErrors = Partial<Record<string, string>>;

type Options<I, T> = {
  /** Toast shown when the action succeeds. */
  success?: string | ((data: T) => string);
  /** Runs inside the same transition, so `pending` lasts until it finishes (sign-in, navigation). */
  onSuccess?: (data: T, input: I) => void | Promise<void>;
};

/**
 * Runs a server action and turns its ActionResult into UI: field issues go next to their fields,
 * any other failure becomes a toast with the remediation, success a toast if asked for.
 */
export function useAction<I, T>(action: (input: I) => Promise<ActionResult<T>>, options: Options<I, T> = {}) {
  const [pending, startTransition] = useTransition();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});

  function run(input: I) {
    startTransition(async () => {
      let result: ActionResult<T>;
      try {
        result = await action(input);
      } catch (error) {
        // A failed fetch is a TypeError. Anything else is an answer the server gave instead of the
        // action's result, e.g. proxy.ts's 413 for a body over the limit: Next.js passes its text on.
        if (error instanceof Error && !(error instanceof TypeError) && error.message) toast.error(error.message);
        else toast.error("Could not reach the server", { description: "Check your connection and try again." });
        return;
      }
      if (!result.ok) {
        const byField: FieldErrors = {};
        for (const issue of result.error.issues ?? []) {
          const field = issue.path[0];
          if (field !== undefined) byField[String(field)] ??= issue.message;
        }
        setFieldErrors(byField);
        if (Object.keys(byField).length === 0) toast.error(result.error.message, { description: result.error.remediation });
        return;
      }
      setFieldErrors({});
      const { success } = options;
      if (success) toast.success(typeof success === "function" ? success(result.data) : success);
      await options.onSuccess?.(result.data, input);
    });
  }

  return { run, pending, fieldErrors };
}

/**
 * useAction for a form: submitting sends the form's fields, and after a failed submit focus moves
 * to the first invalid field so keyboard and screen reader users land on the problem.
 */
export function useFormAction<T>(action: (input: Record<string, string>) => Promise<ActionResult<T>>, options: Options<Record<string, string>, T> = {}) {
  const form = useRef<HTMLFormElement>(null);
  const { run, pending, fieldErrors } = useAction(action, options);
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [fieldErrors]);
  const formProps = { ref: form, noValidate: true, onSubmit: (event: FormEvent<HTMLFormElement>) => run(formValues(event)) };
  return { formProps, pending, fieldErrors };
}

/** The submitted form's text fields, without letting the browser navigate. */
export function formValues(event: FormEvent<HTMLFormElement>): Record<string, string> {
  event.preventDefault();
  const values: Record<string, string> = {};
  new FormData(event.currentTarget).forEach((value, key) => {
    if (typeof value === "string") values[key] = value;
  });
  return values;
}
