import type { Metadata } from "next";
import { catalog } from "@/lib/catalog";
import { hasRole } from "@/lib/auth/roles";
import { pageCaller } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { getPolicySettings } from "@/lib/workflow/policy-settings";
import { CompanyPolicyForm, WorkflowPolicyForm, type NamedGroup } from "@/components/settings/policy-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

export const metadata: Metadata = { title: "Policy" };

export default async function PolicySettingsPage() {
  const caller = await pageCaller();
  if (!hasRole(caller.role, "admin")) {
    return <p className="text-sm text-muted-foreground">Only owners and admins can see and change what the company&apos;s workflows may do.</p>;
  }
  const settings = await getPolicySettings(await getDb(), catalog, caller);
  const groups: NamedGroup[] = settings.groups.map((group) => ({
    ...group,
    name: catalog.provider(group.category)?.name ?? (group.category === "core" ? "Core" : group.category),
  }));
  return (
    <div className="grid gap-6">
      <Card>
        <CardHeader>
          <CardTitle>Allowed for the company</CardTitle>
          <CardDescription>
            Which providers and actions every workflow may use. Everything is allowed until you block it. Runs keep the policy they started with; a step whose
            action is not allowed fails with E_POLICY_BLOCKED.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <CompanyPolicyForm groups={groups} policy={settings.company} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Per workflow</CardTitle>
          <CardDescription>A workflow can be narrowed to an allowlist; what the company blocks stays blocked.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-3">
          {settings.workflows.length === 0 ? (
            <p className="text-sm text-muted-foreground">No workflows yet.</p>
          ) : (
            settings.workflows.map((workflow) => <WorkflowPolicyForm key={workflow.id} groups={groups} workflow={workflow} />)
          )}
        </CardContent>
      </Card>
    </div>
  );
}
