import pino from "pino";
import { REDACTED, SECRET_FIELDS } from "@/lib/redact";

// The one logger. Secrets never reach a log line: these paths are redacted wherever they appear.
export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: "flowline" },
  redact: {
    paths: [...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]), "headers.cookie"],
    censor: REDACTED,
  },
});

/**
 * One warn line per kind of event and window, for events anyone on the internet can cause (a forged
 * session cookie): the first is written, the rest are counted and reported with the next line.
 */
export function rateLimitedWarner(target: Pick<pino.Logger, "warn"> = logger, windowMs = 60_000, now = () => Date.now()) {
  const windows = new Map<string, { until: number; suppressed: number }>();
  return (kind: string, fields: Record<string, unknown>, message: string) => {
    const at = now();
    const open = windows.get(kind);
    if (open && at < open.until) {
      open.suppressed++;
      return;
    }
    windows.set(kind, { until: at + windowMs, suppressed: 0 });
    target.warn({ kind, ...fields, ...(open?.suppressed ? { suppressedSinceLast: open.suppressed } : {}) }, message);
  };
}
