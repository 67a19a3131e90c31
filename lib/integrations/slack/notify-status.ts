import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { defineAction } from "@/lib/integrations/types";
import { channelArg, channelField, findStepMessage, previewTs, stepMetadata, postsMessage } from "./shared";

const statuses = { info: "ℹ️ Update", started: "▶️ Started", succeeded: "✅ Succeeded", failed: "❌ Failed", waiting: "⏳ Waiting for approval" } as const;

const config = z.object({
  channel: channelField,
  status: z
    .enum(Object.keys(statuses) as [keyof typeof statuses, ...(keyof typeof statuses)[]])
    .default("info")
    .meta({ ui: { label: "Status", widget: "select", choices: Object.entries(statuses).map(([value, label]) => ({ value, label })) } }),
  message: z
    .string()
    .max(3_000)
    .optional()
    .describe("What to say about the run, e.g. Invoice {{trigger.payload.number}} sent")
    .meta({ ui: { label: "Message", widget: "multiline" } }),
});

const output = z.object({ channel: z.string(), ts: z.string(), runUrl: z.string().describe("The run page the message links to") });

/** The message text: status, optional message and a link to the run page (Slack mrkdwn link). */
export function statusText(input: { status: keyof typeof statuses; message?: string | undefined }, runUrl: string): string {
  return `*${statuses[input.status]}*${input.message ? `: ${input.message}` : ""}\n<${runUrl}|Open the run in Flowline>`;
}

export const notifyStatus = defineAction<WebClient, typeof config, typeof output>({
  id: "notify_status",
  name: "Notify run status",
  description: "Posts a message about the current run, with a link to its run page.",
  config,
  example: { channel: "#ops", status: "succeeded", message: "Invoice {{trigger.payload.number}} sent" },
  output,
  ...postsMessage,
  preview: (input, ctx) => ({ channel: input.channel, ts: previewTs, runUrl: ctx.runUrl }),
  async execute(ctx, input) {
    const result = await ctx.client.chat.postMessage({
      channel: channelArg(input.channel),
      text: statusText(input, ctx.runUrl),
      unfurl_links: false,
      metadata: stepMetadata(ctx.idempotencyKey),
    });
    return { channel: result.channel ?? input.channel, ts: result.ts ?? "", runUrl: ctx.runUrl };
  },
  async reconcile(ctx, input) {
    const found = await findStepMessage(ctx.client, ctx.idempotencyKey, { channel: input.channel });
    return found && { ...found, runUrl: ctx.runUrl };
  },
});
