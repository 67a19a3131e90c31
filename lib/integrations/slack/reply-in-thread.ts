import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { defineAction } from "@/lib/integrations/types";
import { valueOrExpression } from "@/lib/integrations/fields";
import {
  blocksArg,
  blocksField,
  tsField,
  channelArg,
  channelField,
  findStepMessage,
  messageOutput,
  previewTs,
  stepMetadata,
  textField,
  postsMessage,
} from "./shared";

const config = z.object({
  channel: channelField,
  threadTs: tsField
    .describe("The parent message's ts, usually {{step.<id>.output.ts}} of an earlier Slack step")
    .meta({ ui: { label: "Thread", widget: "expression", placeholder: "{{step.post.output.ts}}" } }),
  text: textField,
  blocks: blocksField,
  broadcast: valueOrExpression(z.boolean())
    .optional()
    .describe("Also post the reply to the channel")
    .meta({ ui: { label: "Also send to the channel", widget: "boolean", advanced: true } }),
});

export const replyInThread = defineAction<WebClient, typeof config, typeof messageOutput>({
  id: "reply_in_thread",
  name: "Reply in thread",
  description: "Replies in the thread of an earlier message, e.g. the one a previous Send message step posted.",
  config,
  example: { channel: "#general", threadTs: "{{step.post.output.ts}}", text: "Approved ✅" },
  output: messageOutput,
  ...postsMessage,
  preview: (input) => ({ channel: input.channel, ts: previewTs, threadTs: input.threadTs }),
  async execute(ctx, input) {
    const result = await ctx.client.chat.postMessage({
      channel: channelArg(input.channel),
      thread_ts: input.threadTs,
      text: input.text,
      ...blocksArg(input.blocks),
      reply_broadcast: input.broadcast === true,
      unfurl_links: false,
      metadata: stepMetadata(ctx.idempotencyKey),
    });
    return { channel: result.channel ?? input.channel, ts: result.ts ?? "", threadTs: input.threadTs };
  },
  async reconcile(ctx, input) {
    const found = await findStepMessage(ctx.client, ctx.idempotencyKey, { channel: input.channel, threadTs: input.threadTs });
    return found && { ...found, threadTs: input.threadTs };
  },
});
