// The security headers of every response. next.config.ts sets the fixed ones on everything
// (static files included); proxy.ts adds the Content-Security-Policy with a fresh nonce per
// request, which Next.js puts on its own inline scripts. No imports: both load this file.

export type Header = { key: string; value: string };

/**
 * Document previews (the Doc Manager's files shown inline on its own pages and on the signing
 * page) may be framed by this origin, and by nothing else; every other response refuses framing.
 */
export const framablePreview = (pathname: string) => /^\/api\/v1\/documents\/[^/]+\/file$|^\/sign\/[^/]+\/document$/.test(pathname);

/** A preview's own policy: nothing runs or loads, it may only be shown in a frame of this origin (Chromium's PDF viewer needs object-src). */
export const previewSecurityPolicy = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'";

export function fixedSecurityHeaders(production: boolean, options: { framable?: boolean } = {}): Header[] {
  return [
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    // For browsers that predate CSP's frame-ancestors.
    { key: "X-Frame-Options", value: options.framable ? "SAMEORIGIN" : "DENY" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
    // Production is served over HTTPS; browsers ignore the header on plain HTTP anyway.
    ...(production ? [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }] : []),
  ];
}

/** API answers are data, never rendered: nothing may load or run from them, and nothing may frame them. */
export const apiSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

/**
 * Scripts only with the nonce ('strict-dynamic' lets them load Next.js's chunks); styles may be
 * inline because React Flow and the toaster set style attributes, which nonces cannot cover.
 * Development needs 'unsafe-eval' for React's error overlay.
 */
export function contentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
