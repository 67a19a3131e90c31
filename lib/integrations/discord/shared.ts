import { createHash } from "node:crypto";
import { DiscordAPIError, type RawFile } from "@discordjs/rest";
import { RESTJSONErrorCodes, Routes, type APIChannel, type APIMessage, type RESTPostAPIChannelMessageJSONBody } from "discord-api-types/v10";
import { z } from "zod";
import { formattedString, valueOrExpression } from "@/lib/integrations/fields";
import type { ActionContext, PreviewContext, RateLimit, UndoContext } from "@/lib/integrations/types";
import { WorkflowError } from "@/lib/workflow/errors";
import { guildOf, type DiscordClient } from "./client";

// Pieces the Discord actions share: field schemas, the step's nonce, posting, finding a posted
// message again after a crash, and message undo.

const snowflake = z.string().regex(/^\d{15,21}$/);

/** A channel (or thread) id from the picker; left empty, the connection's default channel. */
export const channelField = formattedString(snowflake, "Use a channel id from the picker, e.g. 1100000000000000001")
  .optional()
  .describe("The channel to post in; empty: the default channel set for Discord on the workflow or in Settings > Integrations")
  .meta({ ui: { label: "Channel", widget: "options", loader: "discord.channels", placeholder: "Default channel" } });

/** A message id, usually {{step.<id>.output.messageId}} of an earlier Discord step. */
export const messageIdField = formattedString(snowflake, "Use a message id such as {{step.send.output.messageId}}");

export const contentField = z
  .string()
  .max(2_000, "Discord messages hold at most 2,000 characters")
  .optional()
  .meta({
    ui: {
      label: "Message",
      widget: "multiline",
      help: "Discord markdown: **bold**, *italic*, [links](https://example.com). Mentions are not pinged. {{…}} inserts values from the trigger or earlier steps.",
    },
  });

/** Discord embeds, passed through as they are (Discord validates them: Invalid Form Body → E_VALIDATION). */
export const embedsField = valueOrExpression(z.array(z.record(z.string(), z.unknown())).max(10, "Discord accepts at most 10 embeds"))
  .optional()
  .meta({ ui: { label: "Embeds", widget: "json", help: 'A JSON list of embeds, e.g. [{"title": "Invoice sent", "description": "…"}]', advanced: true } });

export const messageOutput = z.object({
  channelId: z.string().describe("The channel (or thread) the message went to"),
  messageId: z.string().describe("The message's id; start a thread from it with Reply in thread"),
});
export type MessageOutput = z.infer<typeof messageOutput>;

/** Discord allows about 5 messages per 5 s per channel; 50/min per connection keeps inside its buckets. */
export const messageRateLimit: RateLimit = { limit: 50, windowMs: 60_000, bucket: "discord.messages" };

export const previewId = "0";

/** The channel a step posts in: its own, else the connection's default. */
export function channelOf(ctx: Pick<ActionContext<DiscordClient>, "defaults">, channel: string | undefined): string {
  const chosen = channel?.trim() || ctx.defaults.channel;
  if (!chosen) {
    throw new WorkflowError("E_VALIDATION", {
      message: "The step names no Discord channel and no default channel is set",
      remediation: "Choose a channel on the step, or set a default channel for Discord on the workflow (Connections) or in Settings > Integrations",
    });
  }
  return chosen;
}

export const previewChannel = (ctx: PreviewContext, channel: string | undefined) => channel?.trim() || ctx.defaults.channel || previewId;

/**
 * The step's message nonce (Discord keeps at most 25 characters): derived from the idempotency
 * key, so every attempt of the step sends the same one. With enforce_nonce Discord answers a
 * repeat within a few minutes with the message already made instead of posting twice.
 */
const stepNonce = (idempotencyKey: string) => createHash("sha256").update(idempotencyKey).digest("base64url").slice(0, 25);

/** Embeds after interpolation: a list (an expression that did not resolve to one is refused by Discord). */
export const embedsArg = (embeds: unknown) => (Array.isArray(embeds) ? { embeds: embeds as RESTPostAPIChannelMessageJSONBody["embeds"] } : {});

/**
 * A connection acts in its own server only: a channel id of another server is refused before
 * anything is sent there (the app's bot may be in other companies' servers too).
 */
export async function inOwnServer(ctx: Pick<ActionContext<DiscordClient>, "client" | "signal">, channelId: string): Promise<void> {
  const channel = (await ctx.client.rest.get(Routes.channel(channelId), { signal: ctx.signal })) as APIChannel & { guild_id?: string };
  if (channel.guild_id !== guildOf(ctx.client))
    throw new WorkflowError("E_NOT_FOUND", {
      message: `Discord channel #${channelId} is not in this connection's server`,
      remediation: "Choose a channel of the connection's server (the picker lists them), or a Discord connection to the server it is in",
    });
}

/** Posts one message tagged with the step's nonce; pings nobody (interpolated text must not @everyone). */
export async function postMessage(
  ctx: Pick<ActionContext<DiscordClient>, "client" | "idempotencyKey" | "signal">,
  channelId: string,
  body: RESTPostAPIChannelMessageJSONBody,
  files?: RawFile[],
): Promise<APIMessage> {
  await inOwnServer(ctx, channelId);
  return (await ctx.client.rest.post(Routes.channelMessages(channelId), {
    body: { ...body, nonce: stepNonce(ctx.idempotencyKey), enforce_nonce: true, allowed_mentions: { parse: [] } },
    ...(files ? { files } : {}),
    signal: ctx.signal,
  })) as APIMessage;
}

export const messageOf = (message: APIMessage): MessageOutput => ({ channelId: message.channel_id, messageId: message.id });

/**
 * The message a step posted, found by its nonce among the channel's latest messages (a crash is
 * recovered from soon after, so the latest page is where it is). Not found: the step runs again,
 * and the same nonce with enforce_nonce still keeps a recent message from being posted twice.
 */
export async function findStepMessage(
  ctx: Pick<ActionContext<DiscordClient>, "client" | "idempotencyKey" | "signal">,
  channelId: string,
): Promise<APIMessage | null> {
  await inOwnServer(ctx, channelId);
  const nonce = stepNonce(ctx.idempotencyKey);
  const messages = (await ctx.client.rest.get(Routes.channelMessages(channelId), {
    query: new URLSearchParams({ limit: "50" }),
    signal: ctx.signal,
  })) as APIMessage[];
  return messages.find((message) => message.nonce === nonce) ?? null;
}

/** Message references are "<channel>:<message>". */
export const messageRef = (output: MessageOutput) => `${output.channelId}:${output.messageId}`;

const gone = new Set<number | string>([RESTJSONErrorCodes.UnknownMessage, RESTJSONErrorCodes.UnknownChannel]);

export async function deleteMessage(ctx: UndoContext<DiscordClient>, externalRef: string): Promise<void> {
  const [channelId, messageId] = externalRef.split(":");
  if (!channelId || !messageId) throw new Error(`Not a Discord message reference: ${externalRef}`);
  try {
    await ctx.client.rest.delete(Routes.channelMessage(channelId, messageId), { signal: ctx.signal });
  } catch (error) {
    // Already deleted (or its thread is): the undo has nothing left to do.
    if (error instanceof DiscordAPIError && gone.has(error.code)) return;
    throw error;
  }
}

/** What every action that posts one message shares: Discord deduplicates only for minutes, so it is reconciled; undone by deleting the message. */
export const postsMessage = {
  effectful: true,
  idempotency: "none",
  undo: { strategy: "api_delete", run: deleteMessage },
  externalRef: messageRef,
  rateLimit: messageRateLimit,
} as const;
