import { catalog } from "@/lib/catalog";
import { defineWorkflowRunner } from "@/lib/workflow/hosts/trigger";

// One task run per workflow run, triggered by the app (lib/workflow/hosts/trigger.ts) when
// TRIGGER_SECRET_KEY is set.
export const workflowRunner = defineWorkflowRunner(catalog);
