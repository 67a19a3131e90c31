// One error type for the app layer: a code people and programs can branch on, the HTTP status it
// maps to, a message for people, and a remediation that says what to do about it.
export type AppErrorCode =
  | "bad_request"
  | "validation_failed"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "rate_limited"
  | "database_in_use"
  | "upstream_unavailable"
  | "config_invalid"
  | "internal";

const statusOf: Record<AppErrorCode, number> = {
  bad_request: 400,
  validation_failed: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  database_in_use: 503,
  upstream_unavailable: 502,
  config_invalid: 500,
  internal: 500,
};

/** One problem with the input: where (path) and what; validation problems add their code and severity. */
export type FieldIssue = {
  path: (string | number)[];
  message: string;
  code?: string;
  severity?: "error" | "warning";
  nodeId?: string;
  edgeId?: string;
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly options: { remediation?: string; issues?: FieldIssue[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "AppError";
    this.status = statusOf[code];
  }
  get remediation() {
    return this.options.remediation;
  }
  get issues() {
    return this.options.issues;
  }
  toJSON() {
    return {
      code: this.code,
      message: this.message,
      ...(this.remediation ? { remediation: this.remediation } : {}),
      ...(this.issues ? { issues: this.issues } : {}),
    };
  }
}

export const notFound = (what: string) => new AppError("not_found", `${what} not found`);
export const forbidden = (message = "Your role does not allow this") =>
  new AppError("forbidden", message, { remediation: "Ask an owner or admin of the company" });
