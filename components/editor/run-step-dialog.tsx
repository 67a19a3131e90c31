"use client";

import type { StepAttempt } from "@/lib/workflow/runs";
import { JsonBlock } from "@/components/runs/json-block";
import { StatusBadge } from "@/components/runs/run-badges";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";

/** What one step did in the run on the canvas: its input, output or error. */
export function RunStepDialog({ step, name, onClose, onConfigure }: { step: StepAttempt; name: string; onClose: () => void; onConfigure: () => void }) {
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="max-h-[calc(100dvh-2rem)] max-w-xl overflow-y-auto">
        <DialogHeader>
          <DialogTitle className="flex items-center gap-2">
            {name} <StatusBadge status={step.status} />
          </DialogTitle>
          <DialogDescription>
            Attempt {step.attempt}
            {step.iterationPath ? `, iteration ${step.iterationPath}` : ""}
            {step.durationMs !== null ? `, ${step.durationMs} ms` : ""}.
          </DialogDescription>
        </DialogHeader>
        {step.error && (
          <div className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm">
            <p className="font-medium text-destructive">{step.error.code}</p>
            <p>{step.error.message}</p>
          </div>
        )}
        <div className="grid gap-1.5">
          <h3 className="text-sm font-medium">Input</h3>
          <JsonBlock value={step.input} label={`Input of ${name}`} />
        </div>
        <div className="grid gap-1.5">
          <h3 className="text-sm font-medium">Output</h3>
          <JsonBlock value={step.output} label={`Output of ${name}`} />
        </div>
        <DialogFooter>
          <Button variant="outline" onClick={onConfigure}>
            Configure the step
          </Button>
          <Button onClick={onClose}>Close</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
