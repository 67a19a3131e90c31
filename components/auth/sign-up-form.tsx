"use client";

import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { signUpAction } from "@/app/(auth)/actions";
import { authHref } from "@/components/auth/callback-url";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { useFormAction } from "@/components/use-action";

// An invite link sends people here with callbackUrl=/invite/<token>: they join that company
// instead of creating one.
const inviteTokenOf = (callbackUrl: string) => callbackUrl.match(/^\/invite\/([A-Za-z0-9_-]+)$/)?.[1];

export function SignUpForm({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter();
  const inviteToken = inviteTokenOf(callbackUrl);
  const [error, setError] = useState<string | null>(null);
  const { formProps, pending, fieldErrors } = useFormAction(signUpAction, {
    // The account exists now; sign in with the same credentials so the person lands inside.
    onSuccess: async (_data, input) => {
      const result = await signIn("credentials", { email: input.email, password: input.password, redirect: false });
      if (!result || result.error) {
        setError(`Your account was created, but signing in failed: ${result?.error ?? "unknown error"}. Try signing in.`);
        return;
      }
      // the invite was accepted during sign-up; its page would only say the link is used
      router.push(inviteToken ? "/workflows" : callbackUrl);
      router.refresh();
    },
  });

  return (
    <div className="grid gap-4">
      {error && <Alert tone="error">{error}</Alert>}
      <form
        {...formProps}
        onSubmit={(event) => {
          setError(null);
          formProps.onSubmit(event);
        }}
        className="grid gap-4"
      >
        <FormField label="Your name" name="name" autoComplete="name" required autoFocus error={fieldErrors.name} />
        <FormField label="Work email" name="email" type="email" autoComplete="email" required error={fieldErrors.email} />
        <FormField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint="At least 10 characters."
          error={fieldErrors.password}
        />
        {inviteToken ? (
          <input type="hidden" name="inviteToken" value={inviteToken} />
        ) : (
          <FormField label="Company name" name="company" autoComplete="organization" required error={fieldErrors.company} />
        )}
        <Button type="submit" pending={pending}>
          Create account
        </Button>
      </form>
      <p className="text-center text-sm text-muted-foreground">
        Already have an account?{" "}
        <Link href={authHref("/signin", callbackUrl)} className="font-medium text-primary underline-offset-4 hover:underline">
          Sign in
        </Link>
      </p>
    </div>
  );
}
