import type { Db } from "@/lib/db";
import type { DocActor } from "@/lib/documents/documents";
import { AppError } from "@/lib/errors";
import type { BuiltinScope } from "@/lib/integrations/types";
import { WorkflowError, type ErrorCode } from "@/lib/workflow/errors";

// The Doc Manager's "client" is Flowline's own lib/documents, scoped to the run's company and
// acting as the run (the audit trail names it). Built per call by execute.ts; nothing to decrypt.

export type DocManagerClient = { db: Db; actor: (stepKey?: string) => DocActor };

export function docManagerClient(scope: BuiltinScope): DocManagerClient {
  return {
    db: scope.db,
    actor: (stepKey) => ({
      companyId: scope.companyId,
      userId: scope.userId,
      label: scope.runId ? `workflow run ${scope.runId}` : "Flowline (undo)",
      runId: scope.runId,
      stepKey: stepKey ?? null,
    }),
  };
}

const codeOf: Partial<Record<AppError["code"], ErrorCode>> = {
  validation_failed: "E_VALIDATION",
  bad_request: "E_VALIDATION",
  payload_too_large: "E_VALIDATION",
  not_found: "E_NOT_FOUND",
  conflict: "E_VALIDATION",
  forbidden: "E_POLICY_BLOCKED",
};

/** lib/documents speaks AppError (pages, API); steps speak the workflow taxonomy. */
export function mapDocManagerError(error: unknown): WorkflowError {
  if (error instanceof WorkflowError) return error;
  if (error instanceof AppError) {
    return new WorkflowError(codeOf[error.code] ?? "E_INTERNAL", {
      message: error.message,
      ...(error.remediation ? { remediation: error.remediation } : {}),
      ...(error.issues ? { details: { issues: error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) } } : {}),
    });
  }
  if (error instanceof Error && error.name === "ZodError") return new WorkflowError("E_VALIDATION", { message: error.message });
  return new WorkflowError("E_INTERNAL", { cause: error });
}
