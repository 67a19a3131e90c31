import { Workflow } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { hasRole } from "@/lib/auth/roles";
import { catalog, describeCatalog } from "@/lib/catalog";
import { pageCaller } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { listWorkflows, listWorkflowsSchema } from "@/lib/workflow/store";
import { PageHeader } from "@/components/page-header";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { CreateWorkflowDialog } from "@/components/workflows/create-workflow-dialog";
import { availableTemplates } from "@/components/workflows/templates";
import { WorkflowsTable } from "@/components/workflows/workflows-table";

export const metadata: Metadata = { title: "Workflows" };

export default async function WorkflowsPage({ searchParams }: { searchParams: Promise<{ cursor?: string | string[] }> }) {
  const query = listWorkflowsSchema.pick({ cursor: true }).safeParse(await searchParams);
  // A cursor the store would refuse (an edited link) shows the first page rather than an error.
  const cursor = query.success ? query.data.cursor : undefined;
  const caller = await pageCaller();
  const canEdit = hasRole(caller.role, "admin");
  const templates = availableTemplates(describeCatalog(catalog));
  const { workflows, nextCursor } = await listWorkflows(await getDb(), caller, { cursor });
  const description = "Automations that run when something happens in your tools.";

  // A later page can come back empty (its workflows deleted meanwhile): that is not "no workflows yet".
  if (workflows.length === 0 && !cursor) {
    return (
      <>
        <PageHeader title="Workflows" description={description} />
        <EmptyState
          icon={<Workflow aria-hidden />}
          title="No workflows yet"
          action={
            canEdit ? (
              <>
                <CreateWorkflowDialog mode="blank" templates={templates} />
                <CreateWorkflowDialog mode="import" variant="outline" />
              </>
            ) : undefined
          }
        >
          <p>
            A workflow connects a trigger (an email arriving, a webhook call, a schedule) to actions in Slack, Discord, Fatture in Cloud, email and the Doc
            Manager.
          </p>
          {canEdit ? (
            <p>
              Start one here, paste one you exported, or create them through the API at{" "}
              <code className="rounded bg-muted px-1 py-0.5 font-mono text-xs text-foreground">/api/v1</code> with a key from{" "}
              <Link href="/settings/api-keys" className="font-medium text-primary underline-offset-4 hover:underline">
                Settings &gt; API keys
              </Link>
              .
            </p>
          ) : (
            <p>Admins and owners create workflows; you will see them here as soon as there are some.</p>
          )}
        </EmptyState>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Workflows"
        description={description}
        actions={
          canEdit && (
            <div className="flex flex-wrap gap-2">
              <CreateWorkflowDialog mode="import" variant="outline" />
              <CreateWorkflowDialog mode="blank" templates={templates} />
            </div>
          )
        }
      />
      <div className="grid gap-4">
        {!canEdit && <Alert>Only admins and owners can create, change or publish workflows.</Alert>}
        {workflows.length === 0 ? (
          <p className="rounded-lg border border-dashed px-4 py-8 text-center text-sm text-muted-foreground">No more workflows.</p>
        ) : (
          <WorkflowsTable workflows={workflows} />
        )}
        {(cursor || nextCursor) && (
          <nav aria-label="Pages of workflows" className="flex flex-wrap gap-2">
            {cursor && (
              <Button asChild variant="ghost">
                <Link href="/workflows">First page</Link>
              </Button>
            )}
            {nextCursor && (
              <Button asChild variant="outline" className="ml-auto">
                <Link href={`/workflows?cursor=${encodeURIComponent(nextCursor)}`}>Next page</Link>
              </Button>
            )}
          </nav>
        )}
      </div>
    </>
  );
}
