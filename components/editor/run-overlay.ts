import type { RunDetail, StepAttempt } from "@/lib/workflow/runs";
import { TRIGGER_ID } from "@/lib/workflow/definition";
import type { StepStatus } from "./step-node";

export type RunOverlay = {
  steps: ReadonlyMap<string, { status: StepStatus; attempts: number; durationMs: number | null }>;
  /** What the run saw, by node id ("trigger" for the payload): the variable picker's sample values. */
  samples: ReadonlyMap<string, unknown>;
  /** Each node's latest attempt, for the step's details. */
  latest: ReadonlyMap<string, StepAttempt>;
};

const known: readonly string[] = ["succeeded", "failed", "skipped", "waiting", "running", "cancelled"];

/**
 * A run as the canvas draws it: each node's latest record (the last iteration of a loop body,
 * the last attempt of a retried step), how many attempts it took, and how long.
 */
export function runOverlay(run: RunDetail): RunOverlay {
  const latest = new Map<string, StepAttempt>();
  for (const step of run.steps) {
    const current = latest.get(step.nodeId);
    if (!current || step.startedAt >= current.startedAt) latest.set(step.nodeId, step);
  }
  const steps = new Map<string, { status: StepStatus; attempts: number; durationMs: number | null }>();
  const samples = new Map<string, unknown>([[TRIGGER_ID, run.payload]]);
  for (const [nodeId, step] of latest) {
    const status = (known.includes(step.status) ? step.status : "running") as StepStatus;
    steps.set(nodeId, { status, attempts: step.attempt, durationMs: step.durationMs });
    if (step.output !== null && step.output !== undefined) samples.set(nodeId, step.output);
  }
  steps.set(TRIGGER_ID, { status: "succeeded", attempts: 1, durationMs: null });
  return { steps, samples, latest };
}
