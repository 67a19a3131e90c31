import type { APIMessage } from "discord-api-types/v10";
import { z } from "zod";
import { defineAction } from "@/lib/integrations/types";
import { WorkflowError } from "@/lib/workflow/errors";
import type { DiscordClient } from "./client";
import { channelField, channelOf, contentField, findStepMessage, postMessage, postsMessage, previewChannel, previewId } from "./shared";

/** Bots may send 10 MiB per message in a server without boosts; larger files are refused before anything is sent. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

const config = z.object({
  channel: channelField,
  fileId: z
    .string()
    .trim()
    .min(1, "Choose the file, e.g. {{step.receive.output.fileId}}")
    .max(200)
    .describe("A file an earlier step produced (an inbound email attachment, a Doc Manager document)")
    .meta({ ui: { label: "File", widget: "expression", placeholder: "{{trigger.payload.attachments.0.fileId}}" } }),
  filename: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .optional()
    .describe("The name shown in Discord; default: the file's own")
    .meta({ ui: { label: "File name", widget: "text", placeholder: "report.pdf", advanced: true } }),
  content: contentField.describe("A message posted with the file"),
});

const output = z.object({
  channelId: z.string(),
  messageId: z.string(),
  attachmentId: z.string(),
  filename: z.string(),
  size: z.number().int().nonnegative(),
});

function attachmentOutput(message: APIMessage): z.output<typeof output> {
  const attachment = message.attachments[0];
  if (!attachment) throw new WorkflowError("E_PROVIDER", { message: "Discord did not return the uploaded file" });
  return { channelId: message.channel_id, messageId: message.id, attachmentId: attachment.id, filename: attachment.filename, size: attachment.size };
}

export const uploadFile = defineAction<DiscordClient, typeof config, typeof output>({
  id: "upload_file",
  name: "Upload file",
  description: "Posts a file from an earlier step (an email attachment, a document) to a channel or thread, with an optional message.",
  config,
  example: { fileId: "{{trigger.payload.attachments.0.fileId}}", content: "The signed contract" },
  output,
  ...postsMessage,
  rateLimit: { limit: 20, windowMs: 60_000, bucket: "discord.files" },
  preview: (input, ctx) => ({
    channelId: previewChannel(ctx, input.channel),
    messageId: previewId,
    attachmentId: previewId,
    filename: input.filename ?? "file",
    size: 0,
  }),
  async execute(ctx, input) {
    const channelId = channelOf(ctx, input.channel);
    const file = await ctx.files.read(input.fileId);
    if (file.size === 0) throw new WorkflowError("E_VALIDATION", { message: "The file is empty" });
    if (file.size > MAX_UPLOAD_BYTES)
      throw new WorkflowError("E_VALIDATION", {
        message: `The file is ${(file.size / 1024 / 1024).toFixed(1)} MB; Discord takes at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB from a bot`,
        remediation: "Share a link to the file instead",
      });
    const filename = input.filename ?? file.filename;
    const message = await postMessage(ctx, channelId, { ...(input.content ? { content: input.content } : {}), attachments: [{ id: 0, filename }] }, [
      { name: filename, data: Buffer.from(file.bytes), contentType: file.contentType },
    ]);
    return attachmentOutput(message);
  },
  async reconcile(ctx, input) {
    const found = await findStepMessage(ctx, channelOf(ctx, input.channel));
    return found && attachmentOutput(found);
  },
});
