import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { enabledSignInMethods } from "@/lib/auth/options";
import { getSessionUserId } from "@/lib/auth/session";
import { safeCallbackUrl } from "@/components/auth/callback-url";
import { SignInForm } from "@/components/auth/sign-in-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

export const metadata: Metadata = { title: "Sign in" };

// next-auth redirects here with ?error=<code> when a link or OAuth sign-in fails. Unknown codes get
// the generic message rather than echoing text from the URL.
const errorMessages: Record<string, string> = {
  OAuthAccountNotLinked: "This email already signs in another way. Use the method you used before.",
  EmailSignin: "The sign-in email could not be sent. Try again, or sign in with your password.",
  Verification: "That sign-in link has expired or was already used. Ask for a new one.",
  SessionRequired: "Sign in to continue.",
  AccessDenied: "You do not have access. Ask the person who invited you.",
  Configuration: "Sign-in is not set up correctly on this server. Tell your administrator.",
};

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function SignInPage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  if (await getSessionUserId()) redirect(callbackUrl);
  const code = typeof params.error === "string" ? params.error : null;
  const initialError = code ? (errorMessages[code] ?? "Sign-in failed. Try again.") : null;

  return (
    <Card>
      <CardHeader>
        <CardTitle as="h1">Sign in to Flowline</CardTitle>
        <CardDescription>Welcome back. Use your work email and password.</CardDescription>
      </CardHeader>
      <CardContent>
        <SignInForm callbackUrl={callbackUrl} initialError={initialError} methods={enabledSignInMethods()} />
      </CardContent>
    </Card>
  );
}
