import { z } from "zod";
import { defineAction } from "@/lib/integrations/types";
import type { DiscordClient } from "./client";
import {
  channelField,
  channelOf,
  contentField,
  embedsArg,
  embedsField,
  findStepMessage,
  messageOf,
  messageOutput,
  postMessage,
  postsMessage,
  previewChannel,
  previewId,
} from "./shared";

const config = z
  .object({ channel: channelField, content: contentField, embeds: embedsField })
  .refine((c) => Boolean(c.content) || c.embeds !== undefined, { message: "Write the message, or give embeds", path: ["content"] })
  // The same rule for the editor's JSON Schema.
  .meta({ anyOf: [{ required: ["content"] }, { required: ["embeds"] }] });

export const sendMessage = defineAction<DiscordClient, typeof config, typeof messageOutput>({
  id: "send_message",
  name: "Send message",
  description: "Posts a message (text and embeds) to a Discord channel.",
  config,
  example: { content: "New request from {{trigger.payload.requester}}" },
  output: messageOutput,
  ...postsMessage,
  preview: (input, ctx) => ({ channelId: previewChannel(ctx, input.channel), messageId: previewId }),
  execute: async (ctx, input) =>
    messageOf(await postMessage(ctx, channelOf(ctx, input.channel), { ...(input.content ? { content: input.content } : {}), ...embedsArg(input.embeds) })),
  async reconcile(ctx, input) {
    const found = await findStepMessage(ctx, channelOf(ctx, input.channel));
    return found && messageOf(found);
  },
});
