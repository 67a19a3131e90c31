import { catalog } from "@/lib/catalog";
import { providerIconSvg } from "@/lib/integrations/icons";

// /icons/<provider>.svg: the icon.svg of a provider's folder. Public (no session): a mark is not a secret.
export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  const match = /^([a-z0-9_-]{1,40})\.svg$/.exec(file);
  const svg = match ? await providerIconSvg(catalog, match[1]!) : null;
  if (!svg) return new Response("No such icon", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return new Response(svg, {
    headers: {
      "Content-Type": "image/svg+xml",
      "Cache-Control": "public, max-age=3600",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
