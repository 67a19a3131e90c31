import { catalog } from "@/lib/catalog";
import { defineScheduleTask } from "@/lib/triggers/schedule-task";

// The task every workflow's Trigger.dev schedule fires (lib/triggers/schedule.ts keeps the
// schedules in step with the workflows) when TRIGGER_SECRET_KEY is set.
export const workflowSchedule = defineScheduleTask(catalog);
