import { z } from "zod";
import { defineAction } from "@/lib/integrations/types";
import type { DiscordClient } from "./client";
import { channelField, channelOf, findStepMessage, messageOf, postMessage, postsMessage, previewChannel, previewId } from "./shared";

const statuses = {
  info: { label: "ℹ️ Update", color: 0x5865f2 },
  started: { label: "▶️ Started", color: 0x3498db },
  succeeded: { label: "✅ Succeeded", color: 0x57f287 },
  failed: { label: "❌ Failed", color: 0xed4245 },
  waiting: { label: "⏳ Waiting for approval", color: 0xfee75c },
} as const;
type Status = keyof typeof statuses;

const config = z.object({
  channel: channelField,
  status: z
    .enum(Object.keys(statuses) as [Status, ...Status[]])
    .default("info")
    .meta({ ui: { label: "Status", widget: "select", choices: Object.entries(statuses).map(([value, s]) => ({ value, label: s.label })) } }),
  message: z
    .string()
    .max(4_000, "An embed's description holds at most 4,096 characters")
    .optional()
    .describe("What to say about the run, e.g. Invoice {{trigger.payload.number}} sent")
    .meta({ ui: { label: "Message", widget: "multiline" } }),
});

const output = z.object({ channelId: z.string(), messageId: z.string(), runUrl: z.string().describe("The run page the embed links to") });

/** The embed: the status as its title and colour, the message, and the run page as its link. */
export function statusEmbed(input: { status: Status; message?: string | undefined }, ctx: { runId: string; runUrl: string }) {
  const status = statuses[input.status];
  return {
    title: status.label,
    url: ctx.runUrl,
    color: status.color,
    ...(input.message ? { description: input.message } : {}),
    fields: [{ name: "Run", value: `[Open the run in Flowline](${ctx.runUrl})`, inline: true }],
    footer: { text: `Flowline run ${ctx.runId}` },
  };
}

export const notifyStatus = defineAction<DiscordClient, typeof config, typeof output>({
  id: "notify_status",
  name: "Notify run status",
  description: "Posts an embed about the current run, linking to its run page.",
  config,
  example: { status: "succeeded", message: "Invoice {{trigger.payload.number}} sent" },
  output,
  ...postsMessage,
  preview: (input, ctx) => ({ channelId: previewChannel(ctx, input.channel), messageId: previewId, runUrl: ctx.runUrl }),
  async execute(ctx, input) {
    const posted = await postMessage(ctx, channelOf(ctx, input.channel), { embeds: [statusEmbed(input, ctx)] });
    return { ...messageOf(posted), runUrl: ctx.runUrl };
  },
  async reconcile(ctx, input) {
    const found = await findStepMessage(ctx, channelOf(ctx, input.channel));
    return found && { ...messageOf(found), runUrl: ctx.runUrl };
  },
});
