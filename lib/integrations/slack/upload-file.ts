import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { WorkflowError } from "@/lib/workflow/errors";
import { guardedFetch } from "@/lib/net/guarded-fetch";
import { defineAction } from "@/lib/integrations/types";
import { formattedString } from "@/lib/integrations/fields";
import { channelArg, channelField, channelLabel, tsField } from "./shared";

/** Files larger than this are refused before anything is sent. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

const config = z
  .object({
    channel: channelField,
    filename: z
      .string()
      .trim()
      .min(1, "Name the file, e.g. report.pdf")
      .max(255)
      .meta({ ui: { label: "File name", placeholder: "report.pdf", widget: "text" } }),
    title: z
      .string()
      .max(255)
      .optional()
      .meta({ ui: { label: "Title", widget: "text" } }),
    initialComment: z
      .string()
      .max(4_000)
      .optional()
      .describe("A message posted with the file")
      .meta({ ui: { label: "Comment", widget: "multiline" } }),
    threadTs: tsField.optional().meta({
      ui: {
        label: "Thread",
        widget: "expression",
        placeholder: "{{step.post.output.ts}}",
        help: "Share the file in the thread of this message",
        advanced: true,
      },
    }),
    url: formattedString(z.url({ protocol: /^https?$/ }), "Use an http(s) URL")
      .optional()
      .describe("Download the file from this address")
      .meta({ ui: { label: "From URL", placeholder: "https://example.com/report.pdf", widget: "text" } }),
    content: z
      .string()
      .max(MAX_UPLOAD_BYTES * 2)
      .optional()
      .describe("Or: the file's content, e.g. {{step.render.output.content}}")
      .meta({ ui: { label: "Or content", widget: "multiline" } }),
    contentEncoding: z
      .enum(["utf8", "base64"])
      .default("utf8")
      .meta({
        ui: {
          label: "Content encoding",
          widget: "select",
          choices: [
            { value: "utf8", label: "Text (UTF-8)" },
            { value: "base64", label: "Base64" },
          ],
          advanced: true,
        },
      }),
  })
  .refine((c) => (c.url === undefined) !== (c.content === undefined), { message: "Give either a URL or the content, not both", path: ["url"] })
  // The same rule for the editor's JSON Schema.
  .meta({ oneOf: [{ required: ["url"] }, { required: ["content"] }] });

const output = z.object({ fileId: z.string(), channel: z.string(), title: z.string() });

async function download(url: string, signal: AbortSignal): Promise<Buffer> {
  const response = await guardedFetch(url, { signal, maxBytes: MAX_UPLOAD_BYTES, timeoutMs: 60_000 });
  if (response.status < 200 || response.status >= 300) {
    throw new WorkflowError(response.status === 404 ? "E_NOT_FOUND" : "E_PROVIDER", { message: `Downloading the file answered HTTP ${response.status}` });
  }
  return response.body;
}

export const uploadFile = defineAction<WebClient, typeof config, typeof output>({
  id: "upload_file",
  name: "Upload file",
  description: "Uploads a file to a channel (or a thread), from a URL or from an earlier step's content.",
  config,
  example: { channel: "#general", filename: "report.txt", content: "Total: {{trigger.payload.amount}}" },
  output,
  effectful: true,
  idempotency: "none",
  undo: {
    strategy: "api_delete",
    async run(ctx, fileId) {
      try {
        await ctx.client.files.delete({ file: fileId });
      } catch (error) {
        if ((error as { data?: { error?: string } }).data?.error === "file_not_found") return;
        throw error;
      }
    },
    describe: ({ input }) => `Delete the Slack file${input ? ` "${input.filename}"` : ""} in ${channelLabel(input)}`,
  },
  externalRef: (out) => out.fileId,
  rateLimit: { limit: 20, windowMs: 60_000, bucket: "slack.files" },
  preview: (input) => ({ fileId: "F_PREVIEW", channel: input.channel, title: input.title ?? input.filename }),
  async execute(ctx, input) {
    const file = input.url !== undefined ? await download(input.url, ctx.signal) : Buffer.from(input.content ?? "", input.contentEncoding);
    if (file.length === 0) throw new WorkflowError("E_VALIDATION", { message: "The file is empty" });
    if (file.length > MAX_UPLOAD_BYTES) throw new WorkflowError("E_VALIDATION", { message: `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` });
    const title = input.title ?? input.filename;
    const result = (await ctx.client.filesUploadV2({
      channel_id: channelArg(input.channel),
      filename: input.filename,
      title,
      file,
      ...(input.initialComment ? { initial_comment: input.initialComment } : {}),
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    } as Parameters<WebClient["filesUploadV2"]>[0])) as { files?: { files?: { id?: string }[] }[] };
    const fileId = result.files?.[0]?.files?.[0]?.id;
    if (!fileId) throw new WorkflowError("E_PROVIDER", { message: "Slack did not return the uploaded file's id" });
    return { fileId, channel: input.channel, title };
  },
});
