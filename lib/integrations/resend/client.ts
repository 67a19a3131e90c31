import { createHash } from "node:crypto";
import { Resend } from "resend";
import { WorkflowError } from "@/lib/workflow/errors";
import type { AccountInfo } from "@/lib/integrations/types";

// The real Resend client (`resend`) and the mapping of its errors. The SDK never throws on HTTP
// errors: it answers { data: null, error: { name, statusCode, message } }, and a network failure
// or a timeout is an "application_error" with statusCode null. `call` turns those answers into
// a thrown ResendFailure (with the response headers, for Retry-After) that mapResendError maps.

export class ResendFailure extends Error {
  constructor(
    readonly error: { name?: string; statusCode?: number | null; message?: string },
    readonly headers: Record<string, string> | null,
    readonly timedOut: boolean,
  ) {
    super(error.message ?? error.name ?? "Resend error");
    this.name = "ResendFailure";
  }
}

type Answer<T> = { data: T | null; error: { name?: string; statusCode?: number | null; message?: string } | null; headers?: Record<string, string> | null };

export type ResendClient = {
  resend: Resend;
  /** Names the key without revealing it: Resend has no account id, so a connection is its key. */
  keyFingerprint: string;
  /** The server's sender (EMAIL_FROM), for emails whose step names none. */
  defaultFrom: string | undefined;
  /** Runs one SDK call bounded by the step's signal and the call timeout; its data, or a thrown ResendFailure. */
  call<T>(run: (options: { signal: AbortSignal }) => Promise<Answer<T>>, signal?: AbortSignal): Promise<T>;
};

export function createResendClient(
  apiKey: string,
  options: { baseUrl?: string | undefined; defaultFrom?: string | undefined; timeoutMs: number },
): ResendClient {
  const resend = new Resend(apiKey, options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, "") } : undefined);
  return {
    resend,
    defaultFrom: options.defaultFrom,
    keyFingerprint: createHash("sha256").update(apiKey).digest("hex").slice(0, 12),
    async call(run, signal) {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const answer = await run({ signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      if (answer.error || answer.data === null)
        throw new ResendFailure(
          answer.error ?? { name: "application_error", statusCode: null, message: "Resend answered no data" },
          answer.headers ?? null,
          timeout.aborted,
        );
      return answer.data;
    },
  };
}

/** Checks a key: a full-access key lists the domains; a sending-only key is refused there with restricted_api_key, which proves it is valid. */
export async function resendAccount(client: ResendClient): Promise<AccountInfo> {
  try {
    const domains = await client.call((options) => client.resend.domains.list({}, options));
    const verified = (domains.data ?? []).filter((d) => d.status === "verified").map((d) => d.name);
    const name = verified[0] ?? "Resend";
    return {
      displayName: name,
      accountId: `key:${client.keyFingerprint}`,
      details: { access: "full", ...(verified.length ? { domains: verified.join(", ") } : {}) },
    };
  } catch (error) {
    if (error instanceof ResendFailure && error.error.name === "restricted_api_key")
      return { displayName: "Resend (sending only)", accountId: `key:${client.keyFingerprint}`, details: { access: "sending only" } };
    throw error;
  }
}

const retryAfterMs = (headers: Record<string, string> | null) => {
  const seconds = Number(headers?.["retry-after"] ?? "");
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1_000;
};

/** Resend's answer names the field in its message ("Invalid `to` field…"). */
const fieldOf = (message: string) => /`([a-z_]+)`/.exec(message)?.[1] ?? null;

export function mapResendError(error: unknown, context: { action?: string; input?: unknown } = {}): WorkflowError {
  if (error instanceof WorkflowError) return error;
  if (!(error instanceof ResendFailure)) {
    const name = (error as Error | undefined)?.name;
    if (name === "TimeoutError" || name === "AbortError") return new WorkflowError("E_TIMEOUT", { message: "Resend did not answer in time", cause: error });
    return new WorkflowError("E_PROVIDER", { message: `Resend call failed${context.action ? ` in ${context.action}` : ""}`, cause: error });
  }
  const { name = "application_error", statusCode = null, message = "" } = error.error;
  const details = { resendError: name, ...(statusCode ? { status: statusCode } : {}) };
  switch (name) {
    case "invalid_api_key":
    case "missing_api_key":
      return new WorkflowError("E_CREDENTIAL_INVALID", {
        message: `Resend refused the API key (${name})`,
        remediation: "Reconnect Resend in Settings > Integrations",
        details,
        cause: error,
      });
    case "restricted_api_key":
      return new WorkflowError("E_CREDENTIAL_SCOPE", {
        message: `The Resend API key cannot do this (${message})`,
        remediation: "Use a full-access Resend API key",
        details,
        cause: error,
      });
    case "rate_limit_exceeded":
      return new WorkflowError("E_RATE_LIMITED", {
        message: `Resend is limiting requests (${message})`,
        retryAfterMs: retryAfterMs(error.headers),
        details,
        cause: error,
      });
    case "daily_quota_exceeded":
      return new WorkflowError("E_CREDENTIAL_SCOPE", {
        message: `Resend's daily sending quota is used up: ${message}`,
        remediation: "Wait until tomorrow (UTC) or raise the Resend plan's quota, then replay the run",
        details,
        cause: error,
      });
    case "validation_error":
    case "invalid_parameter":
    case "invalid_from_address":
    case "invalid_idempotent_request":
    case "missing_required_field": {
      const field = fieldOf(message);
      return new WorkflowError("E_VALIDATION", {
        message: `Resend refused the email${field ? ` (${field})` : ""}: ${message}`,
        remediation: message.includes("domain is not verified")
          ? "Send from an address of a domain verified in Resend (Domains), or leave From empty for the server's sender"
          : "Fix the field named in the message and try again",
        details: { ...details, ...(field ? { issues: [{ path: field, message }] } : {}) },
        cause: error,
      });
    }
    case "not_found":
      return new WorkflowError("E_NOT_FOUND", { message: `Resend did not find it (${message})`, details, cause: error });
  }
  if (error.timedOut) return new WorkflowError("E_TIMEOUT", { message: "Resend did not answer in time", details, cause: error });
  if (statusCode === 401 || statusCode === 403)
    return new WorkflowError("E_CREDENTIAL_INVALID", {
      message: `Resend refused the API key (HTTP ${statusCode})`,
      remediation: "Reconnect Resend in Settings > Integrations",
      details,
      cause: error,
    });
  if (statusCode === 429)
    return new WorkflowError("E_RATE_LIMITED", {
      message: "Resend is limiting requests (HTTP 429)",
      retryAfterMs: retryAfterMs(error.headers),
      details,
      cause: error,
    });
  return new WorkflowError("E_PROVIDER", {
    message: statusCode ? `Resend answered HTTP ${statusCode} (${message})` : `Resend could not be reached or answered something unreadable (${message})`,
    details,
    cause: error,
  });
}
