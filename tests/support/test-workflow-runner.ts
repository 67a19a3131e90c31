import { defineWorkflowRunner } from "@/lib/workflow/hosts/trigger";
import { testCatalog } from "./test-nodes";

// The workflow-runner task as the fake Trigger.dev platform executes it in tests: with the test nodes.
export const workflowRunner = defineWorkflowRunner(testCatalog);
