import { task } from "@trigger.dev/sdk";
import { getDb } from "@/lib/db";
import { abandonRun, executeOnTrigger, WORKFLOW_RUNNER_TASK, type WorkflowRunnerPayload } from "@/lib/workflow/hosts/trigger";

// One task run per workflow run, triggered by the app (lib/workflow/hosts/trigger.ts) when
// TRIGGER_SECRET_KEY is set. Thin on purpose: the interpreter in lib/workflow does the work.
export const workflowRunner = task({
  id: WORKFLOW_RUNNER_TASK,
  run: async (payload: WorkflowRunnerPayload, { ctx, signal }) => executeOnTrigger(await getDb(), payload.runId, ctx.run.id, signal),
  onFailure: async ({ payload, error }) => abandonRun(await getDb(), payload.runId, error),
});
