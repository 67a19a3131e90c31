import { NextResponse, type NextRequest } from "next/server";
import { BODY_TOO_LARGE_MESSAGE, BODY_TOO_LARGE_REMEDIATION, MAX_BODY_BYTES } from "./lib/http/limits";
import { contentSecurityPolicy, fixedSecurityHeaders, framablePreview, previewSecurityPolicy } from "./lib/http/security-headers";

// Runs before every request (Next.js 16 calls middleware "proxy"): the per-request CSP nonce, the
// security headers, and the answers Next.js itself would give as a 500.

const production = process.env.NODE_ENV === "production";

/**
 * Next.js refuses a server action body over its limit with a 500 and no message the UI can show.
 * Answered here instead: 413, as text/plain, which Next.js's client hands to the caller as the
 * error message (components/use-action.ts shows it as a toast).
 */
function oversizedAction(request: NextRequest): Response | null {
  if (request.method !== "POST" || !request.headers.has("next-action")) return null;
  if (Number(request.headers.get("content-length") ?? 0) <= MAX_BODY_BYTES) return null;
  return new Response(`${BODY_TOO_LARGE_MESSAGE}. ${BODY_TOO_LARGE_REMEDIATION}`, { status: 413, headers: { "content-type": "text/plain" } });
}

/** Pages load records by the ids in their path; a NUL there would reach Postgres (routes under /api answer this themselves, as JSON). */
function unstorablePath(request: NextRequest): Response | null {
  const { pathname } = request.nextUrl;
  if (pathname.startsWith("/api/")) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    decoded = "\u0000";
  }
  if (!decoded.includes("\u0000") && decoded.isWellFormed()) return null;
  return new Response("The address contains characters that cannot appear in Flowline paths.", { status: 400, headers: { "content-type": "text/plain" } });
}

function withSecurityHeaders(response: Response, csp: string, framable = false): Response {
  response.headers.set("Content-Security-Policy", framable ? previewSecurityPolicy : csp);
  for (const { key, value } of fixedSecurityHeaders(production, { framable })) response.headers.set(key, value);
  return response;
}

export function proxy(request: NextRequest) {
  const nonce = btoa(crypto.randomUUID());
  const csp = contentSecurityPolicy(nonce, !production);
  const refused = oversizedAction(request) ?? unstorablePath(request);
  if (refused) return withSecurityHeaders(refused, csp);
  // Next.js reads the nonce from the request's CSP header and puts it on the scripts it renders.
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", csp);
  return withSecurityHeaders(NextResponse.next({ request: { headers } }), csp, framablePreview(request.nextUrl.pathname));
}

export const config = {
  // Static build output and API answers (JSON, never a page) need no nonce: next.config.ts gives
  // them fixed headers and a fixed policy. Keeping the API out also spares every API call the
  // proxy's cost (Next.js copies the request for it), on the hottest paths: starts and webhooks.
  // Document previews stay: they get their framable policy here.
  matcher: [{ source: "/((?!_next/static|_next/image|api/).*)" }, { source: "/api/v1/documents/:path*" }],
};
