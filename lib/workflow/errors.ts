// The workflow error taxonomy, in one place: every failure a run can record or an API can answer
// with has a code here, whether retrying can help, and what a person can do about it.

type ErrorCodeInfo = {
  /** Whether the runner may retry the step (with the node's backoff) after this error. */
  retryable: boolean;
  httpStatus: number;
  message: string;
  remediation: string;
};

// Credential problems answer 424 (Failed Dependency), not 401/403: those statuses would tell an
// API client that its own session or API key failed, when it is a provider account that did.
export const errorCodes = {
  E_CREDENTIAL_MISSING: {
    retryable: false,
    httpStatus: 424,
    message: "No connected account is available for this step",
    remediation: "Connect the account in Settings > Integrations, or choose a connection on the step",
  },
  E_CREDENTIAL_INVALID: {
    retryable: false,
    httpStatus: 424,
    message: "The provider rejected the connection's credentials",
    remediation: "Reconnect the account in Settings > Integrations",
  },
  E_CREDENTIAL_SCOPE: {
    retryable: false,
    httpStatus: 424,
    message: "The connection is missing a permission this step needs",
    remediation: "Reconnect the account and grant the permissions the step asks for",
  },
  E_RATE_LIMITED: {
    retryable: true,
    httpStatus: 429,
    message: "The provider is limiting the rate of requests",
    remediation: "Nothing to do now: the step retries after the provider's wait. If it keeps happening, run the workflow less often",
  },
  E_VALIDATION: {
    retryable: false,
    httpStatus: 422,
    message: "The input is not valid",
    remediation: "Fix the fields named in the message and try again",
  },
  E_TEMPLATE: {
    retryable: false,
    httpStatus: 422,
    message: "A {{…}} expression could not be resolved",
    remediation: 'Check the expression: the step or field it names must exist when this step runs, or add a fallback like {{ step.a.output.x ?? "default" }}',
  },
  E_PROVIDER: {
    retryable: true,
    httpStatus: 502,
    message: "The provider returned an error",
    remediation: "Retry later; if it persists, check the provider's status page",
  },
  E_TIMEOUT: {
    retryable: true,
    httpStatus: 504,
    message: "The step did not finish in time",
    remediation: "Retry; if it keeps timing out, make the step handle less data at once",
  },
  E_POLICY_BLOCKED: {
    retryable: false,
    httpStatus: 403,
    message: "A company policy blocked this step",
    remediation: "Ask an admin of the company to review the policy or the step",
  },
  E_LIMIT_EXCEEDED: {
    retryable: false,
    httpStatus: 422,
    message: "The run went past one of the engine's limits",
    remediation: "Split the work over several runs, or make the step handle less at once",
  },
  E_CONNECTION_PAUSED: {
    retryable: false,
    httpStatus: 409,
    message: "The connection this step uses is paused",
    remediation: "Resume the connection in Settings > Integrations, then replay the run",
  },
  E_NOT_FOUND: {
    retryable: false,
    httpStatus: 404,
    message: "The item was not found",
    remediation: "Check the id; the item may have been deleted",
  },
  E_INTERRUPTED: {
    retryable: true,
    httpStatus: 503,
    message: "The worker stopped while this step ran",
    remediation: "Nothing to do: the step is run again, and the interrupted attempt does not count against its retries",
  },
  E_EFFECT_UNKNOWN: {
    retryable: false,
    httpStatus: 409,
    message: "The worker stopped during a call with side effects, and whether it took effect cannot be checked",
    remediation: "Check in the app whether the action happened, then replay the run from this step or leave it",
  },
  E_CANCELLED: {
    retryable: false,
    httpStatus: 409,
    message: "The run was cancelled",
    remediation: "Start a new run or replay this one",
  },
  E_INTERNAL: {
    retryable: false,
    httpStatus: 500,
    message: "Something went wrong inside Flowline",
    remediation: "Replay the run; if it fails again, contact support with the run id",
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof errorCodes;

export type WorkflowErrorOptions = {
  /** Overrides the code's default message; say what failed and where. */
  message?: string;
  /** Overrides the default remediation when a more precise one is known ("Reconnect Slack"). */
  remediation?: string;
  nodeId?: string;
  details?: Record<string, unknown>;
  /** The provider's requested wait (Retry-After), honoured over the node's backoff. */
  retryAfterMs?: number;
  cause?: unknown;
};

/** What a step record or an API response stores: no stack, no cause (they may hold internals). */
export type WorkflowErrorJson = {
  code: ErrorCode;
  message: string;
  remediation: string;
  retryable: boolean;
  nodeId?: string;
  details?: Record<string, unknown>;
  retryAfterMs?: number;
};

export class WorkflowError extends Error {
  readonly code: ErrorCode;
  readonly remediation: string;
  readonly nodeId?: string;
  readonly details?: Record<string, unknown>;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, options: WorkflowErrorOptions = {}) {
    super(options.message ?? errorCodes[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WorkflowError";
    this.code = code;
    this.remediation = options.remediation ?? errorCodes[code].remediation;
    if (options.nodeId !== undefined) this.nodeId = options.nodeId;
    if (options.details !== undefined) this.details = options.details;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  get retryable(): boolean {
    return errorCodes[this.code].retryable;
  }

  get httpStatus(): number {
    return errorCodes[this.code].httpStatus;
  }

  toJSON(): WorkflowErrorJson {
    return {
      code: this.code,
      message: this.message,
      remediation: this.remediation,
      retryable: this.retryable,
      ...(this.nodeId !== undefined ? { nodeId: this.nodeId } : {}),
      ...(this.details !== undefined ? { details: this.details } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
    };
  }
}

/**
 * Normalizes anything a step threw. Unknown errors become E_INTERNAL with the default message:
 * their own message may carry internals (SQL, tokens), so it stays in `cause`, for the log only.
 */
export function toWorkflowError(error: unknown, nodeId?: string): WorkflowError {
  if (error instanceof WorkflowError) return error;
  return new WorkflowError("E_INTERNAL", { cause: error, ...(nodeId !== undefined ? { nodeId } : {}) });
}
