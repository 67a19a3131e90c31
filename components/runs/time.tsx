import type { RunSummary } from "@/lib/workflow/runs";
import { formatDateTime } from "@/components/format";

// Durations and instants of runs and steps.

const units = [
  ["d", 86_400],
  ["h", 3_600],
  ["min", 60],
  ["s", 1],
] as const;

/** "340 ms", "4.2 s", "38 s", "4 min 5 s", "2 h", "3 d 4 h": the largest unit and the next one. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const index = units.findIndex(([, size]) => seconds >= size);
  const [major, majorSize] = units[index] ?? units[units.length - 1]!;
  const next = units[index + 1];
  const minor = next ? Math.floor((seconds % majorSize) / next[1]) : 0;
  return `${Math.floor(seconds / majorSize)} ${major}${next && minor > 0 ? ` ${minor} ${next[0]}` : ""}`;
}

/** How long a finished run took; null while it has not finished (or never started). */
export function runDuration(run: Pick<RunSummary, "startedAt" | "finishedAt">): number | null {
  return run.startedAt && run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : null;
}

/**
 * An instant in the server's time zone. The live run page also renders in the browser, which may
 * sit in another zone: it keeps the server's text (no hydration error) until the value changes.
 */
export function Timestamp({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} suppressHydrationWarning>
      {formatDateTime(new Date(iso))}
    </time>
  );
}
