import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { hasRole } from "@/lib/auth/roles";
import { pageCaller } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { roleDescriptions, RoleBadge } from "@/components/roles";
import { CompanyNameForm } from "@/components/settings/company-name-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/form-field";

export const metadata: Metadata = { title: "Settings" };

export default async function GeneralSettingsPage() {
  const caller = await pageCaller();
  const company = await (await getDb()).company.findUnique({ where: { id: caller.companyId }, select: { name: true } });
  if (!company) notFound();
  const canRename = hasRole(caller.role, "admin");

  return (
    <div className="grid gap-6">
      <Card>
        <CardHeader>
          <CardTitle>Company</CardTitle>
          <CardDescription>The name your team sees in Flowline and in invite links.</CardDescription>
        </CardHeader>
        <CardContent className="max-w-md">
          {canRename ? (
            <CompanyNameForm name={company.name} />
          ) : (
            <FormField label="Company name" name="name" value={company.name} readOnly hint="Only admins and owners can rename the company." />
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Your role</CardTitle>
          <CardDescription>What you can do in this company.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-wrap items-center gap-3 text-sm">
          <RoleBadge role={caller.role} />
          <span className="text-muted-foreground">{roleDescriptions[caller.role]}</span>
        </CardContent>
      </Card>
    </div>
  );
}
