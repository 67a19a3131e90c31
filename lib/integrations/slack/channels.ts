import type { WebClient } from "@slack/web-api";

export type SlackChannel = { id: string; name: string; isPrivate: boolean; isMember: boolean };

/** One page of the channel picker: public and private channels the app can see, archived ones left out. */
export async function listSlackChannels(client: WebClient, cursor?: string): Promise<{ channels: SlackChannel[]; nextCursor: string | null }> {
  const result = await client.conversations.list({ types: "public_channel,private_channel", exclude_archived: true, limit: 200, ...(cursor ? { cursor } : {}) });
  const channels = (result.channels ?? []).map((c) => ({ id: c.id ?? "", name: c.name ?? "", isPrivate: Boolean(c.is_private), isMember: Boolean(c.is_member) }));
  return { channels: channels.filter((c) => c.id), nextCursor: result.response_metadata?.next_cursor || null };
}
