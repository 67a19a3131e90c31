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
