// What counts as a secret when Flowline writes something down: log lines (lib/log.ts) and the
// inputs recorded for each step of a run. One list, so both hide the same things.

/** Field names whose values are secrets wherever they appear. */
export const SECRET_FIELDS = [
  "password",
  "passwordHash",
  "token",
  "accessToken",
  "refreshToken",
  "apiKey",
  "authorization",
  "ciphertext",
  "clientSecret",
  "secret",
] as const;

export const REDACTED = "[redacted]";

// Names like botToken, webhookSecret, api_key, x-api-key, Authorization: a secret by how it is named.
const SECRET_NAME = /(password|passwd|secret|token|api[-_]?key|authorization|cookie|ciphertext)$/i;
// Values that are credentials whatever they are called: Slack tokens, bearer headers, PEM keys.
const SECRET_VALUE = /^(xox[abposr]-|xapp-|Bearer\s+\S|Basic\s+\S|-----BEGIN [A-Z ]*PRIVATE KEY-----)/;

/** A copy of a JSON-like value with secret-named fields and credential-looking strings replaced. */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === "string") return SECRET_VALUE.test(value) ? REDACTED : value;
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([name, field]) => [
      name,
      SECRET_NAME.test(name) && field !== null && field !== undefined && field !== "" ? REDACTED : redactSecrets(field),
    ]),
  );
}
