import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { defineAction } from "@/lib/integrations/types";
import { blocksArg, blocksField, channelArg, channelField, findStepMessage, messageOutput, previewTs, stepMetadata, textField, postsMessage } from "./shared";

const config = z.object({ channel: channelField, text: textField, blocks: blocksField });

export const sendMessage = defineAction<WebClient, typeof config, typeof messageOutput>({
  id: "send_message",
  name: "Send message",
  description: "Posts a message to a Slack channel. The text is also the notification and fallback when blocks are given.",
  config,
  example: { channel: "#general", text: "New request from {{trigger.payload.requester}}" },
  output: messageOutput,
  ...postsMessage,
  preview: (input) => ({ channel: input.channel, ts: previewTs, threadTs: previewTs }),
  async execute(ctx, input) {
    const result = await ctx.client.chat.postMessage({
      channel: channelArg(input.channel),
      text: input.text,
      ...blocksArg(input.blocks),
      unfurl_links: false,
      metadata: stepMetadata(ctx.idempotencyKey),
    });
    const ts = result.ts ?? "";
    return { channel: result.channel ?? input.channel, ts, threadTs: ts };
  },
  async reconcile(ctx, input) {
    const found = await findStepMessage(ctx.client, ctx.idempotencyKey, { channel: input.channel });
    return found && { ...found, threadTs: found.ts };
  },
});
