"use client";

import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState, useTransition, type FormEvent } from "react";
import { authHref } from "@/components/auth/callback-url";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { formValues } from "@/components/use-action";

type SignInFormProps = {
  callbackUrl: string;
  /** A message from a failed redirect sign-in (?error=), shown until the next attempt. */
  initialError: string | null;
  methods: { email: boolean; google: boolean; github: boolean };
};

export function SignInForm({ callbackUrl, initialError, methods }: SignInFormProps) {
  const router = useRouter();
  const form = useRef<HTMLFormElement>(null);
  const [error, setError] = useState(initialError);
  const [linkSentTo, setLinkSentTo] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const [linkPending, startLinkTransition] = useTransition();

  function submit(event: FormEvent<HTMLFormElement>) {
    const { email, password } = formValues(event);
    startTransition(async () => {
      setError(null);
      const result = await signIn("credentials", { email, password, redirect: false });
      // next-auth reports the reason as a sentence written for people (wrong password, throttled).
      if (!result || result.error) {
        setError(result?.error ?? "Sign-in failed. Try again.");
        return;
      }
      router.push(callbackUrl);
      router.refresh();
    });
  }

  function emailLink() {
    const email = form.current ? String(new FormData(form.current).get("email") ?? "").trim() : "";
    if (!email) {
      setError("Enter your work email to get a sign-in link.");
      return;
    }
    startLinkTransition(async () => {
      setError(null);
      const result = await signIn("email", { email, callbackUrl, redirect: false });
      if (!result || result.error) setError("The sign-in link could not be sent. Try again, or sign in with your password.");
      else setLinkSentTo(email);
    });
  }

  return (
    <div className="grid gap-4">
      {error && <Alert tone="error">{error}</Alert>}
      {linkSentTo && <Alert role="status">Check {linkSentTo} for a sign-in link. It works once, for 15 minutes.</Alert>}
      <form ref={form} onSubmit={submit} noValidate className="grid gap-4">
        <FormField label="Work email" name="email" type="email" autoComplete="email" required autoFocus />
        <FormField label="Password" name="password" type="password" autoComplete="current-password" required />
        <Button type="submit" pending={pending} disabled={linkPending}>
          Sign in
        </Button>
        {methods.email && (
          <Button variant="outline" onClick={emailLink} pending={linkPending} disabled={pending}>
            Email me a sign-in link
          </Button>
        )}
      </form>
      {(methods.google || methods.github) && (
        <div className="grid gap-2">
          <p className="flex items-center gap-3 text-xs text-muted-foreground before:h-px before:flex-1 before:bg-border after:h-px after:flex-1 after:bg-border">
            or
          </p>
          {methods.google && (
            <Button variant="outline" onClick={() => signIn("google", { callbackUrl })}>
              Continue with Google
            </Button>
          )}
          {methods.github && (
            <Button variant="outline" onClick={() => signIn("github", { callbackUrl })}>
              Continue with GitHub
            </Button>
          )}
        </div>
      )}
      <p className="text-center text-sm text-muted-foreground">
        New to Flowline?{" "}
        <Link href={authHref("/signup", callbackUrl)} className="font-medium text-primary underline-offset-4 hover:underline">
          Create an account
        </Link>
      </p>
    </div>
  );
}
