import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { formattedString, valueOrExpression } from "@/lib/integrations/fields";
import type { RateLimit, UndoContext } from "@/lib/integrations/types";

// Pieces the Slack actions share: field schemas, the message rate limit and message undo.

export const channelField = z
  .string()
  .trim()
  .min(1, "Choose a channel")
  .max(200)
  .describe("A channel id (C…) from the picker, or #name")
  .meta({ ui: { label: "Channel", widget: "options", loader: "slack.channels", placeholder: "#general" } });

export const textField = z
  .string()
  .min(1, "Write the message")
  .max(40_000, "Slack messages hold at most 40,000 characters")
  .meta({
    ui: {
      label: "Message",
      widget: "multiline",
      help: "Slack mrkdwn: *bold*, _italic_, <https://example.com|links>. {{…}} inserts values from the trigger or earlier steps.",
    },
  });

/** Slack Block Kit blocks, passed through as they are (Slack validates them: invalid_blocks → E_VALIDATION). */
export const blocksField = valueOrExpression(z.array(z.record(z.string(), z.unknown())).max(50, "Slack accepts at most 50 blocks"))
  .optional()
  .meta({
    ui: { label: "Blocks", widget: "json", help: "Block Kit blocks (a JSON list); the message text stays the notification and fallback", advanced: true },
  });

/** A message ts ("1700000000.000100"), usually {{step.<id>.output.ts}} of an earlier step. */
export const tsField = formattedString(z.string().regex(/^\d+\.\d+$/), "Use a message ts such as {{step.send.output.ts}}");

/** Blocks after interpolation: a list (an expression that did not resolve to one is refused by Slack). */
export const blocksArg = (blocks: unknown) => (Array.isArray(blocks) ? { blocks: blocks as never } : {});

/** Slack allows about one message per second per channel and bursts beyond; 60/min per connection keeps well inside. */
export const messageRateLimit: RateLimit = { limit: 60, windowMs: 60_000, bucket: "slack.chat" };

export const messageOutput = z.object({
  channel: z.string().describe("The channel id the message went to"),
  ts: z.string().describe("The message's timestamp id; use it as thread_ts to reply in its thread"),
  threadTs: z.string().describe("The thread the message belongs to (its own ts for a new message)"),
});
export type MessageOutput = z.infer<typeof messageOutput>;

/** Message ids are "<channel>:<ts>". */
export const messageRef = (output: { channel: string; ts: string }) => `${output.channel}:${output.ts}`;

/** Tags a message with the step's idempotency key, so a message whose outcome is unknown can be found. */
export const stepMetadata = (idempotencyKey: string) => ({ event_type: "flowline_step", event_payload: { idempotency_key: idempotencyKey } });

/**
 * The message a step posted, found by the idempotency key in its metadata: in the channel's
 * latest messages, or in a thread's replies. A crash is recovered from soon after, so the latest
 * page is where it is.
 */
export async function findStepMessage(
  client: WebClient,
  idempotencyKey: string,
  where: { channel: string; threadTs?: string },
): Promise<{ channel: string; ts: string } | null> {
  const channel = channelArg(where.channel);
  const page = where.threadTs
    ? await client.conversations.replies({ channel, ts: where.threadTs, include_all_metadata: true, limit: 200 })
    : await client.conversations.history({ channel, include_all_metadata: true, limit: 200 });
  const found = page.messages?.find(
    (message) => (message.metadata?.event_payload as { idempotency_key?: unknown } | undefined)?.idempotency_key === idempotencyKey,
  );
  return found?.ts ? { channel, ts: found.ts } : null;
}

/** The channel name without "#": Slack accepts ids and names in `channel`. */
export const channelArg = (channel: string) => channel.replace(/^#/, "");

export async function deleteMessage(ctx: UndoContext<WebClient>, externalRef: string): Promise<void> {
  const [channel, ts] = externalRef.split(":");
  if (!channel || !ts) throw new Error(`Not a Slack message reference: ${externalRef}`);
  try {
    await ctx.client.chat.delete({ channel, ts });
  } catch (error) {
    // Already deleted: the undo has nothing left to do.
    if ((error as { data?: { error?: string } }).data?.error === "message_not_found") return;
    throw error;
  }
}

export const previewTs = "0000000000.000000";

/** A step's channel as people read it: "#general" for a name (with or without "#"), an id as it is. */
export function channelLabel(input: unknown): string {
  const channel = (input as { channel?: unknown } | undefined)?.channel;
  return typeof channel === "string" && channel ? (channel.startsWith("#") || /^[CGD][A-Z0-9]+$/.test(channel) ? channel : `#${channel}`) : "the channel";
}

/** What every action that posts one message shares: an effect Slack does not deduplicate, undone by deleting the message. */
export const postsMessage = {
  effectful: true,
  idempotency: "none",
  undo: {
    strategy: "api_delete",
    run: deleteMessage,
    describe: ({ input }: { input: unknown }) => `Delete the Slack message in ${channelLabel(input)}`,
  },
  externalRef: messageRef,
  rateLimit: messageRateLimit,
} as const;
