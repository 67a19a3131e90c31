import { z } from "zod";
import type { TriggerTypeSpec } from "@/lib/workflow/trigger-types";

// A signed HTTP call from another system; the body becomes the payload.
export const webhookTrigger = {
  type: "webhook",
  label: "Webhook",
  description: "Started by a signed HTTP call from another system",
  config: z.object({}),
  payload: z.object({
    body: z.unknown().describe("The request's JSON body"),
    headers: z.record(z.string(), z.string()).describe("The request's headers, names in lower case"),
    receivedAt: z.iso.datetime().describe("When Flowline received the call"),
  }),
  example: {},
  samplePayload: { body: { event: "order.created", id: "ord_123" }, headers: { "content-type": "application/json" }, receivedAt: "2026-01-01T09:00:00.000Z" },
} satisfies TriggerTypeSpec;
