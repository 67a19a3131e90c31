import Link from "next/link";
import type { ReactNode } from "react";
import type { RunDetail } from "@/lib/workflow/runs";
import { RunFlags, StatusBadge, triggerLabel } from "@/components/runs/run-badges";
import { formatDuration, runDuration, Timestamp } from "@/components/runs/time";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";

/** The run's workflow, status, timings and, when it matters, its error. */
export function RunHeader({ run, actions }: { run: RunDetail; actions?: ReactNode }) {
  const duration = runDuration(run);
  return (
    <header className="grid gap-4">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="grid min-w-0 gap-2">
          <h1 className="text-2xl font-semibold tracking-tight break-words">
            Run of{" "}
            <Link href={`/workflows/${run.workflowId}`} className="underline-offset-4 hover:underline">
              {run.workflowName}
            </Link>
          </h1>
          <div className="flex flex-wrap items-center gap-1.5">
            {/* Announced when it changes while the page follows the run. */}
            <span aria-live="polite" aria-atomic="true">
              <span className="sr-only">Status: </span>
              <StatusBadge status={run.status} />
            </span>
            <Badge variant="secondary">{run.version === "draft" ? "Draft" : `Version ${run.version}`}</Badge>
            <RunFlags run={run} />
          </div>
        </div>
        {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
      </div>

      <dl className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm sm:flex sm:flex-wrap">
        <Fact term="Started">{run.startedAt ? <Timestamp iso={run.startedAt} /> : "Not yet"}</Fact>
        <Fact term="Duration">{duration === null ? "Not finished" : formatDuration(duration)}</Fact>
        <Fact term="Trigger">{triggerLabel(run.triggerType, run.triggerSource)}</Fact>
        {run.replayOf && (
          <Fact term="Replay of">
            <Link href={`/runs/${run.replayOf}`} className="font-medium text-primary underline-offset-4 hover:underline">
              the original run
            </Link>
          </Fact>
        )}
      </dl>

      {run.status === "failed" && run.error && (
        <Alert tone="error">
          <p className="font-medium">
            The run failed: <code className="font-mono">{run.error.code}</code>
          </p>
          <p className="break-words">{run.error.message}</p>
          {run.error.remediation && <p className="break-words text-muted-foreground">{run.error.remediation}</p>}
        </Alert>
      )}
      {run.needsAttention && (
        <Alert tone="warning">
          <p className="font-medium">Needs attention</p>
          <p>
            A step that changes something in another tool was interrupted, and Flowline cannot tell whether the change happened. Check that tool before you
            replay this run, so nothing happens twice.
          </p>
        </Alert>
      )}
    </header>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid gap-0.5">
      <dt className="text-xs text-muted-foreground">{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
