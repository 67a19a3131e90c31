import { catalog, describeCatalog } from "@/lib/catalog";
import { ArrowLeft, History, Power, PowerOff, Trash } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { hasRole } from "@/lib/auth/roles";
import { pageCaller } from "@/lib/auth/session";
import { getEnv } from "@/lib/config/env";
import { getDb } from "@/lib/db";
import { triggerEvents, triggerOverview } from "@/lib/triggers/history";
import { AppError } from "@/lib/errors";
import { validateDefinition, type Problem } from "@/lib/workflow";
import { getWorkflow, listVersions, type WorkflowDetail } from "@/lib/workflow/store";
import { getRun, listRuns } from "@/lib/workflow/runs";
import { listConnections } from "@/lib/credentials/store";
import { listWorkflowScopes } from "@/lib/integrations/scopes";
import { deleteWorkflowAction, setWorkflowEnabledAction } from "@/app/(app)/workflows/actions";
import { ActionButton } from "@/components/action-button";
import { PageHeader } from "@/components/page-header";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { WorkflowEditor } from "@/components/editor/workflow-editor";
import { TriggerCard } from "@/components/triggers/trigger-card";
import { ChangesSummary } from "@/components/workflows/changes-summary";
import { ConnectionsSection } from "@/components/workflows/connections-section";
import { PublishButton } from "@/components/workflows/publish-button";
import { RunNowDialog } from "@/components/workflows/run-now-dialog";
import { RenameWorkflowDialog } from "@/components/workflows/rename-workflow-dialog";
import { UnsavedDraftProvider } from "@/components/workflows/unsaved-draft";
import { VersionsTable } from "@/components/workflows/versions-table";
import { WorkflowBadges } from "@/components/workflows/workflow-badges";

type PageProps = { params: Promise<{ id: string }>; searchParams: Promise<{ run?: string | string[] }> };

// Called by generateMetadata and the page; cache() makes that one load per request.
const loadWorkflow = cache(async (id: string) => {
  const caller = await pageCaller();
  const db = await getDb();
  try {
    const [workflow, versions, trigger, triggerHistory, connections, scopes] = await Promise.all([
      getWorkflow(db, catalog, caller, id),
      listVersions(db, caller, id),
      triggerOverview(db, caller, id, getEnv().appUrl),
      triggerEvents(db, caller, id, { limit: 10 }),
      listConnections(db, caller),
      listWorkflowScopes(db, caller, id, catalog),
    ]);
    return { caller, workflow, versions, trigger, triggerHistory, connections, scopes };
  } catch (error) {
    // Another company's workflow is not found either, so a guessed id reveals nothing.
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
});

export async function generateMetadata({ params }: PageProps): Promise<Metadata> {
  const { workflow } = await loadWorkflow((await params).id);
  return { title: workflow.name };
}

/**
 * The draft's problems are checked in draft mode, where a missing field or an unconnected node is
 * only a warning. Publishing checks in strict mode: those warnings are marked, and counted, here.
 */
function checkForPublishing(workflow: WorkflowDetail) {
  const key = (problem: Problem) => `${problem.code} ${JSON.stringify(problem.path)}`;
  const strictErrors = validateDefinition(workflow.draft, { mode: "strict", catalog }).filter((problem) => problem.severity === "error");
  const blocking = new Set(strictErrors.map(key));
  return {
    problems: workflow.problems.map((problem) => ({ ...problem, blocksPublishing: problem.severity === "warning" && blocking.has(key(problem)) })),
    blockers: strictErrors.length,
  };
}

/** The run ?run= asks to draw on the canvas, if it is one of this workflow's. */
async function runToShow(caller: Awaited<ReturnType<typeof pageCaller>>, workflowId: string, requested: string | string[] | undefined) {
  if (typeof requested !== "string") return null;
  try {
    const run = await getRun(await getDb(), caller, requested);
    return run.workflowId === workflowId ? run : null;
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") return null;
    throw error;
  }
}

export default async function WorkflowPage({ params, searchParams }: PageProps) {
  const { caller, workflow, versions, trigger, triggerHistory, connections, scopes } = await loadWorkflow((await params).id);
  const [
    run,
    {
      runs: [latestRun],
    },
  ] = await Promise.all([runToShow(caller, workflow.id, (await searchParams).run), listRuns(await getDb(), caller, { workflowId: workflow.id, limit: 1 })]);
  // The latest run's data are the editor's samples (variable picker, expression preview).
  const lastRun = latestRun ? (run?.id === latestRun.id ? run : await getRun(await getDb(), caller, latestRun.id)) : null;
  const canEdit = hasRole(caller.role, "admin");
  const { problems, blockers } = checkForPublishing(workflow);
  const published = workflow.publishedVersion !== null;

  return (
    <UnsavedDraftProvider>
      <Link href="/workflows" className="mb-4 inline-flex items-center gap-1.5 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden />
        Workflows
      </Link>
      <PageHeader
        title={workflow.name}
        description={
          <>
            {workflow.description}
            <span className={workflow.description ? "mt-3 block" : "block"}>
              <WorkflowBadges workflow={workflow} />
            </span>
          </>
        }
        actions={
          canEdit && (
            <div className="flex flex-wrap gap-2">
              <RunNowDialog workflowId={workflow.id} published={published} />
              <PublishButton workflowId={workflow.id} blockedBy={blockers > 0 ? "publish-blocked" : undefined} />
              {published ? (
                <ActionButton
                  action={setWorkflowEnabledAction}
                  input={{ id: workflow.id, enabled: !workflow.enabled }}
                  variant="outline"
                  success={workflow.enabled ? "Workflow disabled" : "Workflow enabled"}
                >
                  {workflow.enabled ? <PowerOff aria-hidden /> : <Power aria-hidden />}
                  {workflow.enabled ? "Disable" : "Enable"}
                </ActionButton>
              ) : (
                <Button variant="outline" disabled aria-describedby="enable-needs-publish">
                  <Power aria-hidden />
                  Enable
                </Button>
              )}
              <RenameWorkflowDialog id={workflow.id} name={workflow.name} description={workflow.description} revision={workflow.revision} />
              <ActionButton
                action={deleteWorkflowAction}
                input={{ id: workflow.id }}
                variant="outline"
                success="Workflow deleted"
                redirectTo="/workflows"
                confirm={{
                  title: `Delete “${workflow.name}”?`,
                  description: "It stops running and leaves the list. Its past runs stay in the history.",
                  confirmLabel: "Delete workflow",
                }}
              >
                <Trash aria-hidden />
                <span>
                  Delete<span className="sr-only"> workflow</span>
                </span>
              </ActionButton>
            </div>
          )
        }
      />

      {/* A column of flex items, not a grid: a grid track would widen to the tables' content on a phone. */}
      <div className="flex flex-col gap-6">
        {canEdit ? (
          (blockers > 0 || !published) && (
            <div className="grid gap-2">
              {blockers > 0 && (
                <Alert tone="warning" id="publish-blocked">
                  <p>
                    Fix{" "}
                    <a href="#draft-problems" className="font-medium underline underline-offset-4">
                      {blockers === 1 ? "1 problem" : `${blockers} problems`}
                    </a>{" "}
                    to publish: a draft may be unfinished, but a published workflow needs every required field filled and every node connected.
                  </p>
                </Alert>
              )}
              {!published && <Alert id="enable-needs-publish">Publish a version before enabling: an enabled workflow runs its published version.</Alert>}
            </div>
          )
        ) : (
          <Alert>Only admins and owners can edit, publish or delete workflows.</Alert>
        )}

        <Card>
          <CardHeader className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
            <div className="grid gap-1.5">
              <CardTitle>Draft</CardTitle>
              <CardDescription>The working copy, saved as you edit. Publishing makes it the version that runs.</CardDescription>
            </div>
            <div className="flex flex-wrap gap-2">
              {latestRun && !run && (
                <Button variant="outline" size="sm" asChild>
                  <Link href={`/workflows/${workflow.id}?run=${latestRun.id}`}>Show the latest run on the canvas</Link>
                </Button>
              )}
              <Button variant="outline" size="sm" asChild>
                <Link href={`/runs?workflowId=${workflow.id}`}>
                  <History aria-hidden />
                  Runs of this workflow
                </Link>
              </Button>
            </div>
          </CardHeader>
          <CardContent>
            <WorkflowEditor
              workflowId={workflow.id}
              catalog={describeCatalog(catalog)}
              draft={workflow.draft}
              revision={workflow.revision}
              problems={problems}
              canEdit={canEdit}
              connections={connections}
              run={run}
              lastRun={lastRun}
            />
          </CardContent>
        </Card>

        {workflow.changes && workflow.hasUnpublishedChanges && (
          <Card>
            <CardHeader>
              <CardTitle>Changes since published</CardTitle>
              <CardDescription>What publishing the draft would change, compared with version {workflow.publishedVersion}.</CardDescription>
            </CardHeader>
            <CardContent>
              <ChangesSummary changes={workflow.changes} />
            </CardContent>
          </Card>
        )}

        <Card>
          <CardHeader>
            <CardTitle>Connections</CardTitle>
            <CardDescription>
              The account and default channel a step uses when it names none. The company&apos;s are inherited; a workflow can set its own, or pause an app for
              itself alone. A connection chosen on a step still wins.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <ConnectionsSection workflowId={workflow.id} scopes={scopes} canEdit={canEdit} />
          </CardContent>
        </Card>

        <TriggerCard workflowId={workflow.id} overview={trigger} events={triggerHistory.events} canEdit={canEdit} />

        <Card>
          <CardHeader>
            <CardTitle>Versions</CardTitle>
            <CardDescription>Each publish that changes something creates a version; runs use the published one.</CardDescription>
          </CardHeader>
          <CardContent>
            <VersionsTable workflowId={workflow.id} versions={versions} canRestore={canEdit} />
          </CardContent>
        </Card>
      </div>
    </UnsavedDraftProvider>
  );
}
