import { ChevronRight } from "lucide-react";
import type { RunDetail, StepAttempt } from "@/lib/workflow/runs";
import { JsonBlock } from "@/components/runs/json-block";
import { isActive, StatusBadge } from "@/components/runs/run-badges";
import { formatDuration } from "@/components/runs/time";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils/cn";

/** Every attempt of every step, in the order they started (the run's step sequence); each opens to its input, output and error. */
export function StepsList({ run }: { run: RunDetail }) {
  const start = Date.parse(run.startedAt ?? run.createdAt);
  const created = Date.parse(run.createdAt);
  return (
    <section aria-labelledby="steps-heading" className="grid gap-3">
      <h2 id="steps-heading" className="text-lg font-semibold">
        Steps
      </h2>
      {run.steps.length === 0 ? (
        <p className="rounded-lg border border-dashed px-4 py-8 text-center text-sm text-muted-foreground">
          {isActive(run.status) ? "No step has started yet." : "This run ran no steps."}
        </p>
      ) : (
        <ol aria-labelledby="steps-heading" className="divide-y overflow-hidden rounded-xl border bg-card">
          {run.steps.map((step) => (
            // A replay copies the original's finished steps, which started before the replay existed.
            <StepItem key={step.id} step={step} start={start} reused={run.replayOf !== null && Date.parse(step.startedAt) < created} />
          ))}
        </ol>
      )}
    </section>
  );
}

function StepItem({ step, start, reused }: { step: StepAttempt; start: number; reused: boolean }) {
  const name = step.iterationPath ? `${step.nodeName}, iteration ${step.iterationPath}` : step.nodeName;
  return (
    <li>
      {/* details opens without JavaScript and keeps its open state while the list updates live. */}
      <details className="group">
        <summary className="flex cursor-pointer list-none flex-wrap items-center gap-x-3 gap-y-1.5 px-3 py-3 hover:bg-muted/50 sm:px-4 [&::-webkit-details-marker]:hidden">
          <ChevronRight className="size-4 shrink-0 text-muted-foreground transition-transform group-open:rotate-90" aria-hidden />
          <span className="flex min-w-0 flex-1 basis-48 flex-wrap items-baseline gap-x-2 gap-y-0.5">
            <span className="text-sm font-medium break-words">{step.nodeName}</span>
            {step.nodeName !== step.nodeId && <code className="font-mono text-xs text-muted-foreground break-all">{step.nodeId}</code>}
            {step.iterationPath && <span className="text-xs text-muted-foreground">iteration {step.iterationPath}</span>}
            <span className="text-xs text-muted-foreground">attempt {step.attempt}</span>
          </span>
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1 pl-7 text-xs text-muted-foreground tabular-nums sm:pl-0">
            <StatusBadge status={step.status} />
            {reused ? (
              <Badge variant="secondary">Reused from the original run</Badge>
            ) : (
              <time dateTime={step.startedAt} className="sm:w-20 sm:text-right">
                at +{formatDuration(Math.max(0, Date.parse(step.startedAt) - start))}
              </time>
            )}
            <span className="sm:w-20 sm:text-right">
              {step.durationMs === null ? (
                <span className="sr-only">not finished</span>
              ) : (
                <>
                  <span className="sr-only">took </span>
                  {formatDuration(step.durationMs)}
                </>
              )}
            </span>
          </span>
          {step.error && (
            <span className="grid basis-full gap-0.5 pl-7 text-xs">
              <span className="text-destructive">
                <code className="font-mono">{step.error.code}</code> {step.error.message}
              </span>
              {step.error.remediation && <span className="text-muted-foreground">{step.error.remediation}</span>}
            </span>
          )}
        </summary>
        <div className="grid gap-4 border-t bg-muted/20 px-3 py-4 sm:px-4 md:grid-cols-2">
          <StepData label="Input" value={step.input} of={name} />
          <StepData label="Output" value={step.output} of={name} />
          {step.error && <StepData label="Error" value={step.error} of={name} className="md:col-span-2" />}
        </div>
      </details>
    </li>
  );
}

function StepData({ label, value, of, className }: { label: string; value: unknown; of: string; className?: string }) {
  return (
    <div className={cn("grid min-w-0 content-start gap-1.5", className)}>
      <p className="text-xs font-medium text-muted-foreground">{label}</p>
      <JsonBlock value={value} label={`${label} of ${of}`} />
    </div>
  );
}
