import { describe, expect, it } from "vitest";
import { errorCodes, toWorkflowError, WorkflowError, type ErrorCode } from "./errors";

describe("error taxonomy", () => {
  it.each(Object.entries(errorCodes))("%s has a status, a message and a remediation people can act on", (_code, info) => {
    expect(info.httpStatus).toBeGreaterThanOrEqual(400);
    expect(info.message.length).toBeGreaterThan(10);
    expect(info.remediation.length).toBeGreaterThan(10);
  });

  it("marks only transient failures as retryable", () => {
    const retryable = (Object.keys(errorCodes) as ErrorCode[]).filter((code) => errorCodes[code].retryable);
    expect(retryable.sort()).toEqual(["E_INTERRUPTED", "E_PROVIDER", "E_RATE_LIMITED", "E_TIMEOUT"]);
  });
});

describe("WorkflowError", () => {
  it("takes the code's message, remediation, status and retryability by default", () => {
    const error = new WorkflowError("E_RATE_LIMITED", { nodeId: "send", retryAfterMs: 30_000 });
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(errorCodes.E_RATE_LIMITED.message);
    expect(error.remediation).toBe(errorCodes.E_RATE_LIMITED.remediation);
    expect(error.httpStatus).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(30_000);
  });

  it("lets a precise message and remediation override the defaults", () => {
    const error = new WorkflowError("E_CREDENTIAL_INVALID", { message: "Slack rejected the token", remediation: "Reconnect Slack" });
    expect(error.message).toBe("Slack rejected the token");
    expect(error.remediation).toBe("Reconnect Slack");
  });

  it("serializes without its cause or stack", () => {
    const error = new WorkflowError("E_PROVIDER", { nodeId: "a", details: { status: 503 }, cause: new Error("socket hang up at 10.0.0.1") });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: "E_PROVIDER",
      message: errorCodes.E_PROVIDER.message,
      remediation: errorCodes.E_PROVIDER.remediation,
      retryable: true,
      nodeId: "a",
      details: { status: 503 },
    });
  });
});

describe("toWorkflowError", () => {
  it("keeps a WorkflowError as it is", () => {
    const error = new WorkflowError("E_TIMEOUT");
    expect(toWorkflowError(error)).toBe(error);
  });

  it("turns anything else into E_INTERNAL without exposing its message", () => {
    const cause = new Error("password authentication failed for user flowline");
    const error = toWorkflowError(cause, "step1");
    expect(error.code).toBe("E_INTERNAL");
    expect(error.message).not.toContain("password");
    expect(error.cause).toBe(cause);
    expect(error.nodeId).toBe("step1");
  });
});
