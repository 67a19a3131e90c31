import type { OptionsLoader } from "@/lib/integrations/types";
import type { ResendClient } from "./client";

/** The sender domains verified in the connection's Resend account (a From must use one). */
export const domainOptions: OptionsLoader<ResendClient> = {
  id: "domains",
  label: "Verified sender domains",
  searchable: false,
  async load(client) {
    const domains = await client.call((options) => client.resend.domains.list({}, options));
    return {
      options: (domains.data ?? []).filter((d) => d.status === "verified").map((d) => ({ value: d.name, label: d.name, description: d.region })),
      nextCursor: null,
    };
  },
};
