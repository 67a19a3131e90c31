import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getSessionUserId } from "@/lib/auth/session";
import { companiesOf } from "@/lib/companies/members";
import { getDb } from "@/lib/db";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { CenteredPage } from "@/components/centered-page";
import { CreateCompanyForm } from "@/components/company/create-company-form";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";

export const metadata: Metadata = { title: "Create your company" };

// Where people land after signing in by link or OAuth (or leaving their last company) with no company.
export default async function OnboardingPage() {
  const userId = await getSessionUserId();
  if (!userId) redirect("/signin");
  const db = await getDb();
  const [companies, user] = await Promise.all([companiesOf(db, userId), db.user.findUnique({ where: { id: userId }, select: { email: true } })]);
  if (companies.length > 0) redirect("/workflows");

  return (
    <CenteredPage>
      <Card>
        <CardHeader>
          <CardTitle as="h1">Create your company</CardTitle>
          <CardDescription>
            Workflows, members and API keys belong to a company. You will be its owner. If a colleague already uses Flowline, ask them for an invite link
            instead.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <CreateCompanyForm />
        </CardContent>
        <CardFooter className="flex-wrap justify-between text-sm text-muted-foreground">
          <span className="truncate">Signed in as {user?.email}</span>
          <SignOutButton />
        </CardFooter>
      </Card>
    </CenteredPage>
  );
}
