import type { z } from "zod";
import type { Db } from "@/lib/db";

// What a kind of trigger is: the config a workflow gives it and the payload it hands the run
// ({{trigger.payload.…}}). lib/catalog lists them; lib/triggers holds each one.

export type TriggerTypeSpec<Config extends z.ZodType = z.ZodType, Payload extends z.ZodType = z.ZodType> = {
  /** "manual", "webhook", "schedule", "email.inbound", "document.completed" */
  type: string;
  label: string;
  description: string;
  config: Config;
  /** The shape of the payload a run started by this trigger gets. */
  payload: Payload;
  /** A config that is valid as it is. */
  example: z.input<Config>;
  /** A payload as this trigger would produce it, for the editor's previews. */
  samplePayload: z.output<Payload>;
  /** The workflow's filters (from its trigger config): whether this event starts it. All events do when left out. */
  matches?(config: z.output<Config>, payload: Record<string, unknown>): boolean;
  /**
   * What publishing cannot accept on the host this process runs on though the schema does
   * (Trigger.dev schedules have no seconds field): one message per config path.
   */
  publishProblems?(config: z.output<Config>): { path: string[]; message: string }[];
  /**
   * Called after a publish, enable, disable or delete of a workflow whose published trigger is (or
   * was) of this type has committed: makes what lives outside the database match the workflow (a
   * schedule on Trigger.dev). It reads the workflow's state itself, so calling it again is harmless.
   */
  sync?(db: Db, workflowId: string): Promise<void>;
};
