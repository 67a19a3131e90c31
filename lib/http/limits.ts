// Request limits shared by the route gate (lib/http/input.ts), the proxy (proxy.ts) and Next.js's
// own server action limit (next.config.ts). No imports: the proxy and next.config load it too.

/** Bodies larger than this answer 413: the same limit as Next.js's default for server actions (1 MB). */
export const MAX_BODY_BYTES = 1024 * 1024;
export const BODY_LIMIT_LABEL = `${MAX_BODY_BYTES / 1024 / 1024} MB`;
export const BODY_TOO_LARGE_MESSAGE = `The request is larger than the ${BODY_LIMIT_LABEL} limit`;
export const BODY_TOO_LARGE_REMEDIATION = `Send less than ${BODY_LIMIT_LABEL}: shorten the payload or definition, or pass large content by reference.`;
