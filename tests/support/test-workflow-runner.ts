import { defineUndoRunner, defineWorkflowRunner } from "@/lib/workflow/hosts/trigger-task";
import { testClock } from "./clock";
import { testCatalog } from "./test-nodes";

// The workflow-runner and run-undo tasks as the fake Trigger.dev platform executes it in tests: with the test
// nodes, on the test file's clock.
export const workflowRunner = defineWorkflowRunner(testCatalog, testClock);
export const undoRunner = defineUndoRunner(testCatalog, testClock);
