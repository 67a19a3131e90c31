import pino from "pino";

// The one logger. Secrets never reach a log line: these paths are redacted wherever they appear.
export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: "flowline" },
  redact: {
    paths: [
      "password",
      "*.password",
      "passwordHash",
      "*.passwordHash",
      "token",
      "*.token",
      "accessToken",
      "*.accessToken",
      "refreshToken",
      "*.refreshToken",
      "apiKey",
      "*.apiKey",
      "authorization",
      "*.authorization",
      "headers.cookie",
      "ciphertext",
      "*.ciphertext",
    ],
    censor: "[redacted]",
  },
});
