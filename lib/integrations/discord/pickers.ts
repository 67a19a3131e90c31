import { ChannelType, Routes, type APIChannel, type APIThreadChannel } from "discord-api-types/v10";
import type { OptionItem } from "@/lib/catalog/description";
import type { OptionsLoader } from "@/lib/integrations/types";
import { guildOf, serversOf, type DiscordClient } from "./client";

// The pickers of the Discord fields, run with the step's connection (its server). Discord lists a
// server's channels and active threads in one answer each, so a search filters what came back.

const matches = (name: string | null | undefined, search: string | undefined) => {
  const needle = search?.trim().replace(/^#/, "").toLowerCase();
  return !needle || (name ?? "").toLowerCase().includes(needle);
};

const textTypes = new Set<ChannelType>([ChannelType.GuildText, ChannelType.GuildAnnouncement]);

async function guildChannels(client: DiscordClient): Promise<APIChannel[]> {
  return (await client.rest.get(Routes.guildChannels(guildOf(client)))) as APIChannel[];
}

export const guildOptions: OptionsLoader<DiscordClient> = {
  id: "guilds",
  label: "Discord servers",
  searchable: true,
  async load(client, { search }) {
    const options = (await serversOf(client))
      .filter((g) => matches(g.name, search))
      .map((g) => ({ value: g.id, label: g.name, ...(g.id === client.guildId ? { description: "this connection's server" } : {}) }));
    return { options, nextCursor: null };
  },
};

export const channelOptions: OptionsLoader<DiscordClient> = {
  id: "channels",
  label: "Discord text channels",
  searchable: true,
  async load(client, { search }) {
    const channels = (await guildChannels(client))
      .filter((c): c is APIChannel & { name: string; position: number } => textTypes.has(c.type) && matches(c.name, search))
      .sort((a, b) => a.position - b.position);
    const options: OptionItem[] = channels.map((c) => ({
      value: c.id,
      label: `#${c.name}`,
      ...(c.type === ChannelType.GuildAnnouncement ? { description: "announcement channel" } : {}),
    }));
    return { options, nextCursor: null };
  },
};

export const threadOptions: OptionsLoader<DiscordClient> = {
  id: "threads",
  label: "Discord threads",
  searchable: true,
  async load(client, { search }) {
    const [{ threads }, channels] = await Promise.all([
      client.rest.get(Routes.guildActiveThreads(guildOf(client))) as Promise<{ threads: APIThreadChannel[] }>,
      guildChannels(client),
    ]);
    const names = new Map(channels.map((c) => [c.id, c.name]));
    const options = threads
      .filter((t) => matches(t.name, search))
      .map((t) => {
        const parent = t.parent_id ? names.get(t.parent_id) : undefined;
        return { value: t.id, label: t.name, ...(parent ? { description: `in #${parent}` } : {}) };
      });
    return { options, nextCursor: null };
  },
};

export const discordOptions = [guildOptions, channelOptions, threadOptions];
