import { defineScheduleTask } from "@/lib/triggers/schedule-task";
import { testCatalog } from "./test-nodes";

// The workflow-schedule task as the fake Trigger.dev platform executes it in tests, with the test nodes.
export const workflowSchedule = defineScheduleTask(testCatalog);
