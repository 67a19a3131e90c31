/** Where to go after signing in: only paths on this site, so a crafted link cannot send people elsewhere. */
export function safeCallbackUrl(raw: string | string[] | undefined): string {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return "/workflows";
  // next-auth sometimes hands back an absolute URL on our own origin; keep only its path.
  const path = value.startsWith("http://") || value.startsWith("https://") ? pathOf(value) : value;
  return path && path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\") ? path : "/workflows";
}

function pathOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return null;
  }
}

/** A link to /signin or /signup that comes back to `callbackUrl` afterwards. */
export function authHref(page: "/signin" | "/signup", callbackUrl: string): string {
  return callbackUrl === "/workflows" ? page : `${page}?callbackUrl=${encodeURIComponent(callbackUrl)}`;
}
