import type { WorkflowNode } from "../definition";

type Retry = NonNullable<WorkflowNode["retry"]>;

/** Delay before the attempt after `attemptsUsed` failures: exponential, capped, with full jitter when asked. */
export function retryDelayMs(retry: Retry, attemptsUsed: number, random: () => number = Math.random): number {
  const base = Math.min(retry.backoff.maxMs, retry.backoff.initialMs * retry.backoff.factor ** Math.max(0, attemptsUsed - 1));
  // Jitter spreads retries of many runs hitting the same provider; half the delay stays fixed.
  return Math.round(retry.jitter ? base / 2 + (random() * base) / 2 : base);
}
