import { z } from "zod";
import type { TriggerTypeSpec } from "@/lib/workflow/trigger-types";
import { samplePayloadField } from "./sample";

// Run now in the app, or POST /api/v1/workflows/{id}/runs: the payload is whatever JSON was sent.
export const manualTrigger = {
  type: "manual",
  label: "Manual",
  description: "Started with Run now or through the API, with an optional JSON payload",
  config: z.object({
    samplePayload: samplePayloadField.meta({
      ui: { label: "Sample payload", help: "An example of what you will send, so later steps can pick its fields", widget: "json" },
    }),
  }),
  payload: z.record(z.string(), z.unknown()),
  example: {},
  samplePayload: { amount: 1200, requester: "ada@example.com" },
} satisfies TriggerTypeSpec;
