import { Play } from "lucide-react";
import type { Metadata } from "next";
import Form from "next/form";
import Link from "next/link";
import { pageCaller } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { listRuns, listRunsSchema, type RunSummary } from "@/lib/workflow/runs";
import { listWorkflows } from "@/lib/workflow/store";
import { formatDateTime, relativeTime } from "@/components/format";
import { PageHeader } from "@/components/page-header";
import { RunFlags, StatusBadge, statusLabel, triggerLabel, versionLabel } from "@/components/runs/run-badges";
import { formatDuration, runDuration } from "@/components/runs/time";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

export const metadata: Metadata = { title: "Runs" };

type SearchParams = Record<string, string | string[] | undefined>;
const statusOptions = listRunsSchema.shape.status.unwrap().options;

/** The filters in the address; a value the API would refuse (an edited link) is ignored, not an error. */
function filtersOf(params: SearchParams) {
  const single = (value: string | string[] | undefined) => (typeof value === "string" && value !== "" ? value : undefined);
  const { shape } = listRunsSchema;
  return {
    status: shape.status.safeParse(single(params.status)).data,
    workflowId: shape.workflowId.safeParse(single(params.workflowId)).data,
    cursor: shape.cursor.safeParse(single(params.cursor)).data,
  };
}

function runsHref(filters: { status?: string; workflowId?: string; cursor?: string }) {
  const query = new URLSearchParams(Object.entries(filters).filter((entry): entry is [string, string] => Boolean(entry[1])));
  return query.size > 0 ? `/runs?${query}` : "/runs";
}

export default async function RunsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { status, workflowId, cursor } = filtersOf(await searchParams);
  const caller = await pageCaller();
  const db = await getDb();
  const [{ runs, nextCursor }, { workflows }] = await Promise.all([
    listRuns(db, caller, { status, workflowId, cursor }),
    listWorkflows(db, caller, { limit: 100 }),
  ]);
  const filtered = Boolean(status || workflowId);
  const header = <PageHeader title="Runs" description="Every time a workflow runs, step by step." />;

  // A later page can come back empty: that is not "no runs yet".
  if (runs.length === 0 && !filtered && !cursor) {
    return (
      <>
        {header}
        <EmptyState
          icon={<Play aria-hidden />}
          title="No runs yet"
          action={
            <Button asChild variant="outline">
              <Link href="/workflows">Go to workflows</Link>
            </Button>
          }
        >
          <p>Runs appear here when a workflow starts, with each step&apos;s input, output and timing, so you can see what happened and why.</p>
        </EmptyState>
      </>
    );
  }

  // A deleted workflow (or one past the first 100) still filters: keep it choosable.
  const workflowOptions = workflows.map(({ id, name }) => ({ id, name }));
  if (workflowId && !workflowOptions.some((workflow) => workflow.id === workflowId)) {
    workflowOptions.push({ id: workflowId, name: runs[0]?.workflowName ?? "The chosen workflow" });
  }

  return (
    <>
      {header}
      <div className="grid gap-4">
        {/* A plain GET form: filtering works before (and without) JavaScript; next/form then keeps it client-side. */}
        <Form key={`${status}-${workflowId}`} action="/runs" role="search" aria-label="Filter runs" className="flex flex-wrap items-end gap-3">
          <div className="grid gap-2">
            <Label htmlFor="runs-status">Status</Label>
            <Select id="runs-status" name="status" defaultValue={status ?? ""}>
              <option value="">Any status</option>
              {statusOptions.map((option) => (
                <option key={option} value={option}>
                  {statusLabel(option)}
                </option>
              ))}
            </Select>
          </div>
          <div className="grid min-w-0 gap-2">
            <Label htmlFor="runs-workflow">Workflow</Label>
            <Select id="runs-workflow" name="workflowId" defaultValue={workflowId ?? ""} className="max-w-64">
              <option value="">Any workflow</option>
              {workflowOptions.map((workflow) => (
                <option key={workflow.id} value={workflow.id}>
                  {workflow.name}
                </option>
              ))}
            </Select>
          </div>
          <Button type="submit" variant="outline">
            Filter
          </Button>
          {filtered && (
            <Button asChild variant="ghost">
              <Link href="/runs">Clear filters</Link>
            </Button>
          )}
        </Form>

        {runs.length === 0 ? (
          <p className="rounded-lg border border-dashed px-4 py-8 text-center text-sm text-muted-foreground">
            {cursor ? "No more runs." : "No runs match these filters."}
          </p>
        ) : (
          <RunsTable runs={runs} />
        )}

        {(cursor || nextCursor) && (
          <nav aria-label="Pages of runs" className="flex flex-wrap justify-between gap-2">
            {cursor ? (
              <Button asChild variant="ghost">
                <Link href={runsHref({ status, workflowId })}>Newest runs</Link>
              </Button>
            ) : (
              <span />
            )}
            {nextCursor && (
              <Button asChild variant="outline">
                <Link href={runsHref({ status, workflowId, cursor: nextCursor })}>Older runs</Link>
              </Button>
            )}
          </nav>
        )}
      </div>
    </>
  );
}

function RunsTable({ runs }: { runs: RunSummary[] }) {
  return (
    <Table>
      <TableCaption>Runs of this company, newest first</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Workflow</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="hidden md:table-cell">Version</TableHead>
          <TableHead className="hidden md:table-cell">Trigger</TableHead>
          <TableHead className="hidden sm:table-cell">Started</TableHead>
          <TableHead className="hidden sm:table-cell text-right">Duration</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {runs.map((run) => {
          const duration = runDuration(run);
          const started = run.startedAt ? (
            <time dateTime={run.startedAt} title={formatDateTime(new Date(run.startedAt))}>
              {relativeTime(new Date(run.startedAt))}
            </time>
          ) : (
            "Not started"
          );
          return (
            <TableRow key={run.id}>
              <TableCell className="sm:min-w-48">
                <Link href={`/runs/${run.id}`} className="font-medium underline-offset-4 hover:underline">
                  {run.workflowName}
                </Link>
                <div className="mt-1.5 flex flex-wrap gap-1.5 empty:hidden">
                  <RunFlags run={run} />
                </div>
                {/* A phone has no room for the other columns: the essentials go under the name. */}
                <p className="mt-1 text-xs text-muted-foreground sm:hidden">
                  {versionLabel(run.version)} · {triggerLabel(run.triggerType, run.triggerSource)} · {started}
                  {duration !== null && ` · ${formatDuration(duration)}`}
                </p>
              </TableCell>
              <TableCell>
                <StatusBadge status={run.status} />
              </TableCell>
              <TableCell className="hidden text-muted-foreground md:table-cell">{versionLabel(run.version)}</TableCell>
              <TableCell className="hidden whitespace-nowrap text-muted-foreground md:table-cell">{triggerLabel(run.triggerType, run.triggerSource)}</TableCell>
              <TableCell className="hidden whitespace-nowrap text-muted-foreground sm:table-cell">{started}</TableCell>
              <TableCell className="hidden whitespace-nowrap text-right text-muted-foreground tabular-nums sm:table-cell">
                {duration === null ? <span className="sr-only">Not finished</span> : formatDuration(duration)}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
