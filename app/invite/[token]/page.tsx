import type { Metadata } from "next";
import Link from "next/link";
import { getSessionUserId } from "@/lib/auth/session";
import { previewInvite } from "@/lib/companies/invites";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { acceptInviteAction } from "@/app/invite/[token]/actions";
import { ActionButton } from "@/components/action-button";
import { authHref } from "@/components/auth/callback-url";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { CenteredPage } from "@/components/centered-page";
import { roleLabels } from "@/components/roles";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";

export const metadata: Metadata = { title: "Invitation" };

async function preview(token: string) {
  try {
    return await previewInvite(await getDb(), token);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") return error;
    throw error;
  }
}

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [invite, userId] = await Promise.all([preview(token), getSessionUserId()]);
  const here = `/invite/${encodeURIComponent(token)}`;

  if (invite instanceof AppError) {
    return (
      <CenteredPage>
        <Card>
          <CardHeader>
            <CardTitle as="h1">{invite.message}</CardTitle>
            <CardDescription>Invite links work once and expire after 7 days. {invite.remediation}</CardDescription>
          </CardHeader>
          <CardFooter>
            <Button asChild variant="outline">
              <Link href="/workflows">Go to Flowline</Link>
            </Button>
          </CardFooter>
        </Card>
      </CenteredPage>
    );
  }

  const role = roleLabels[invite.role].toLowerCase();
  return (
    <CenteredPage>
      <Card>
        <CardHeader>
          <CardTitle as="h1">
            Join {invite.companyName} as {role}
          </CardTitle>
          <CardDescription>
            You have been invited to {invite.companyName} on Flowline.{" "}
            {userId ? "Accept to add it to your companies." : "Sign in or create an account to accept."}
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-2">
          {userId ? (
            <ActionButton action={acceptInviteAction} input={{ token }} success={`You joined ${invite.companyName}`} redirectTo="/workflows">
              Accept invite
            </ActionButton>
          ) : (
            <>
              <Button asChild>
                <Link href={authHref("/signin", here)}>Sign in</Link>
              </Button>
              <Button asChild variant="outline">
                <Link href={authHref("/signup", here)}>Create an account</Link>
              </Button>
            </>
          )}
        </CardContent>
        {userId && (
          <CardFooter className="justify-between text-sm text-muted-foreground">
            Not you, or want another account?
            <SignOutButton callbackUrl={here} />
          </CardFooter>
        )}
      </Card>
    </CenteredPage>
  );
}
