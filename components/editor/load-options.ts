import { slackChannelsAction } from "@/app/(app)/settings/integrations/actions";
import type { ActionResult } from "@/lib/auth/action";
import type { OptionsPage } from "@/lib/catalog/description";

// TEMPORARY until loadOptionsAction lands with the catalog.
export async function loadOptions(input: { loader: string; connectionId?: string; search?: string; cursor?: string }): Promise<ActionResult<OptionsPage>> {
  const result = await slackChannelsAction({ connectionId: input.connectionId, cursor: input.cursor });
  if (!result.ok) return result;
  const search = input.search?.toLowerCase().replace(/^#/, "");
  return {
    ok: true,
    data: {
      connectionId: result.data.connectionId,
      options: result.data.channels.filter((c) => !search || c.name.includes(search)).map((c) => ({ value: c.id, label: `#${c.name}`, description: c.isPrivate ? "private" : undefined })),
      nextCursor: result.data.nextCursor,
    },
  };
}
