"use client";

import { FlaskConical, Send } from "lucide-react";
import { useState } from "react";
import type { ActionResult } from "@/lib/auth/action";
import type { WorkflowNode } from "@/lib/workflow/definition";
import type { TestStepResult } from "@/lib/workflow/test-step";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils/cn";

export type TestStep = (node: WorkflowNode, mode: "preview" | "live") => Promise<ActionResult<TestStepResult>>;

const json = (value: unknown) => JSON.stringify(value, null, 2) ?? "null";

/**
 * "Test this step" inside the config modal: the step as the form has it now, run alone with the
 * latest run's data. A step with effects (a message, an invoice) shows its dry preview; sending
 * for real asks first.
 */
export function TestStepPanel({ node, effectful, testStep }: { node: WorkflowNode; effectful: boolean; testStep: TestStep }) {
  const [pending, setPending] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<ActionResult<TestStepResult> | null>(null);
  const start = async (mode: "preview" | "live") => {
    setConfirming(false);
    setPending(true);
    try {
      setOutcome(await testStep(node, mode));
    } finally {
      setPending(false);
    }
  };
  return (
    <section aria-labelledby="test-step-title" className="grid gap-2 rounded-md border px-3 py-2.5">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="grid gap-0.5">
          <h3 id="test-step-title" className="text-sm font-medium">
            Test this step
          </h3>
          <p className="text-xs text-muted-foreground">
            {effectful
              ? "Shows what it would send, without sending anything, using the last run's data."
              : "Runs it now with the settings above and the last run's data."}
          </p>
        </div>
        <div className="flex gap-1.5">
          <Button type="button" size="sm" variant="outline" pending={pending} onClick={() => void start("preview")}>
            <FlaskConical aria-hidden />
            {effectful ? "Preview" : "Test step"}
          </Button>
          {effectful && (
            <Button type="button" size="sm" variant="outline" disabled={pending} onClick={() => setConfirming(true)}>
              <Send aria-hidden />
              Run for real…
            </Button>
          )}
        </div>
      </div>
      {confirming && (
        <div
          role="alertdialog"
          aria-labelledby="test-live-title"
          className="grid gap-2 rounded-md border border-warning-foreground/30 bg-warning px-3 py-2 text-sm"
        >
          <p id="test-live-title" className="text-warning-foreground">
            This really does it (posts the message, creates the document) outside any run, so it cannot be undone from Flowline.
          </p>
          <div className="flex gap-1.5">
            <Button type="button" size="sm" variant="destructive" autoFocus onClick={() => void start("live")}>
              Yes, run it for real
            </Button>
            <Button type="button" size="sm" variant="outline" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          </div>
        </div>
      )}
      <div aria-live="polite" data-testid="test-step-result">
        {outcome && !outcome.ok && (
          <p className="text-sm text-destructive">
            {outcome.error.message}. {outcome.error.remediation}
          </p>
        )}
        {outcome?.ok && <TestResult result={outcome.data} />}
      </div>
    </section>
  );
}

function TestResult({ result }: { result: TestStepResult }) {
  const source = result.data.kind === "run" ? `the last run (${new Date(result.data.createdAt).toLocaleString()})` : "the trigger's sample payload";
  const failed = result.status === "failed";
  return (
    <div className="grid gap-2 text-sm">
      <p className={cn("font-medium", failed ? "text-destructive" : "text-emerald-700 dark:text-emerald-400")}>
        {failed ? "Failed" : result.mode === "preview" ? "Preview: nothing was sent" : "Succeeded"}
        <span className="font-normal text-muted-foreground">
          {" "}
          · {result.durationMs} ms · with {source}
        </span>
      </p>
      {result.error && (
        <div className="rounded-md border border-destructive/40 bg-destructive/5 px-2 py-1.5 text-xs">
          <p className="font-medium text-destructive">
            <code>{result.error.code}</code> {result.error.message}
          </p>
          {result.error.remediation && <p className="mt-0.5 text-foreground">{result.error.remediation}</p>}
        </div>
      )}
      {result.note && <p className="text-xs text-muted-foreground">{result.note}</p>}
      {result.input !== null && (
        <details>
          <summary className="cursor-pointer text-xs font-medium">Input (settings resolved)</summary>
          <pre className="mt-1 max-h-40 overflow-auto rounded bg-muted p-2 font-mono text-xs">{json(result.input)}</pre>
        </details>
      )}
      {!failed && result.output !== null && (
        <div>
          <p className="text-xs font-medium">Output</p>
          <pre className="mt-1 max-h-48 overflow-auto rounded bg-muted p-2 font-mono text-xs">{json(result.output)}</pre>
        </div>
      )}
    </div>
  );
}
