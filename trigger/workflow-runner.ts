import { catalog } from "@/lib/catalog";
import { defineWorkflowRunner } from "@/lib/workflow/hosts/trigger-task";

// One task run per workflow run, triggered by the app (lib/workflow/hosts/trigger.ts; the task side is lib/workflow/hosts/trigger-task.ts) when
// TRIGGER_SECRET_KEY is set.
export const workflowRunner = defineWorkflowRunner(catalog);
