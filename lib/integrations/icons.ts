import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ProviderLookup } from "@/lib/integrations/types";

// A provider's icon is the icon.svg in its folder, served at /icons/<provider>.svg (app/icons),
// so a new provider brings its mark with it and no component has to know it.

export const providerIconPath = (providerId: string) => `/icons/${providerId}.svg`;

/** The SVG of a provider of the catalog; null for anything else (nothing outside the folders is read). */
export async function providerIconSvg(catalog: ProviderLookup, providerId: string): Promise<string | null> {
  const provider = catalog.provider(providerId);
  if (!provider) return null;
  return readFile(path.join(process.cwd(), "lib", "integrations", provider.id, "icon.svg"), "utf8").catch(() => null);
}
