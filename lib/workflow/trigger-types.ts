import type { z } from "zod";

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
};
