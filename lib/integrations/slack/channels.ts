import type { WebClient } from "@slack/web-api";
import type { OptionsLoader } from "@/lib/integrations/types";

// The channel picker: public and private channels the app can see, archived ones left out.
// conversations.list cannot filter by name, so a search reads pages until it has found enough.

const PAGE = 200;
const SEARCH_PAGES = 5;
const ENOUGH = 50;

export const channelOptions: OptionsLoader<WebClient> = {
  id: "channels",
  label: "Slack channels",
  searchable: true,
  async load(client, { search, cursor }) {
    const needle = search?.trim().replace(/^#/, "").toLowerCase() ?? "";
    const options = [];
    let next: string | null = cursor ?? null;
    for (let page = 0; page < (needle ? SEARCH_PAGES : 1); page++) {
      const result = await client.conversations.list({
        types: "public_channel,private_channel",
        exclude_archived: true,
        limit: PAGE,
        ...(next ? { cursor: next } : {}),
      });
      for (const channel of result.channels ?? []) {
        if (!channel.id || !channel.name || (needle && !channel.name.toLowerCase().includes(needle))) continue;
        const notes = [channel.is_private ? "private" : null, channel.is_member ? null : "the app is not in it yet: invite it"].filter(Boolean);
        options.push({ value: channel.id, label: `#${channel.name}`, ...(notes.length ? { description: notes.join(", ") } : {}) });
      }
      next = result.response_metadata?.next_cursor || null;
      if (!next || options.length >= ENOUGH) break;
    }
    return { options, nextCursor: next };
  },
};
