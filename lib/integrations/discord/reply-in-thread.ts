import { DiscordAPIError } from "@discordjs/rest";
import { RESTJSONErrorCodes, Routes, ThreadAutoArchiveDuration } from "discord-api-types/v10";
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
  inOwnServer,
  messageIdField,
  messageOf,
  postMessage,
  postsMessage,
  previewId,
} from "./shared";

// A thread started from a message has the message's id, so one field takes either: an existing
// thread (from the picker) or the message an earlier step posted. The reply goes into that thread,
// which is started from the message first when there is none yet.

const config = z
  .object({
    channel: channelField.describe("The channel the message is in (needed to start a thread from it); empty: the default channel"),
    thread: messageIdField
      .describe("A thread, or the message to start one from: usually {{step.<id>.output.messageId}} of an earlier Discord step")
      .meta({ ui: { label: "Thread or message", widget: "options", loader: "discord.threads", placeholder: "{{step.send.output.messageId}}" } }),
    threadName: z
      .string()
      .trim()
      .min(1)
      .max(100, "Discord thread names hold at most 100 characters")
      .optional()
      .describe("The name of a thread this step starts; default: Replies")
      .meta({ ui: { label: "Thread name", widget: "text", advanced: true } }),
    content: contentField,
    embeds: embedsField,
  })
  .refine((c) => Boolean(c.content) || c.embeds !== undefined, { message: "Write the reply, or give embeds", path: ["content"] })
  .meta({ anyOf: [{ required: ["content"] }, { required: ["embeds"] }] });

const output = z.object({
  channelId: z.string().describe("The thread the reply went to"),
  messageId: z.string().describe("The reply's id"),
  threadId: z.string(),
  threadStarted: z.boolean().describe("Whether this step started the thread"),
});

const isCode = (error: unknown, code: number) => error instanceof DiscordAPIError && error.code === code;

export const replyInThread = defineAction<DiscordClient, typeof config, typeof output>({
  id: "reply_in_thread",
  name: "Reply in thread",
  description: "Replies in a thread: an existing one, or one started from an earlier step's message.",
  config,
  example: { thread: "{{step.send.output.messageId}}", content: "Approved ✅" },
  output,
  ...postsMessage,
  preview: (input) => ({ channelId: input.thread, messageId: previewId, threadId: input.thread, threadStarted: false }),
  async execute(ctx, input) {
    const body = { ...(input.content ? { content: input.content } : {}), ...embedsArg(input.embeds) };
    try {
      return { ...messageOf(await postMessage(ctx, input.thread, body)), threadId: input.thread, threadStarted: false };
    } catch (error) {
      // No channel with that id: it is a message without a thread yet.
      if (!isCode(error, RESTJSONErrorCodes.UnknownChannel)) throw error;
    }
    const parent = channelOf(ctx, input.channel);
    await inOwnServer(ctx, parent);
    let threadStarted = true;
    try {
      await ctx.client.rest.post(Routes.threads(parent, input.thread), {
        body: { name: input.threadName ?? "Replies", auto_archive_duration: ThreadAutoArchiveDuration.OneDay },
        signal: ctx.signal,
      });
    } catch (error) {
      // Someone started it in between: reply in theirs.
      if (!isCode(error, RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage)) throw error;
      threadStarted = false;
    }
    return { ...messageOf(await postMessage(ctx, input.thread, body)), threadId: input.thread, threadStarted };
  },
  async reconcile(ctx, input) {
    try {
      const found = await findStepMessage(ctx, input.thread);
      return found && { ...messageOf(found), threadId: input.thread, threadStarted: false };
    } catch (error) {
      if (isCode(error, RESTJSONErrorCodes.UnknownChannel)) return null;
      throw error;
    }
  },
});
