import type { NextConfig } from "next";
import { MAX_BODY_BYTES } from "./lib/http/limits";
import { apiSecurityPolicy, fixedSecurityHeaders } from "./lib/http/security-headers";

const nextConfig: NextConfig = {
  // Loaded by Node at run time, not bundled: PGlite ships WASM and data files, the database
  // drivers and the logger use dynamic requires that bundling would break.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@prisma/adapter-pg", "pg", "pino", "@slack/web-api", "@trigger.dev/sdk"],
  poweredByHeader: false,
  typedRoutes: false,
  // typecheck and lint run in `npm test`, once, rather than again inside every build.
  typescript: { ignoreBuildErrors: true },
  outputFileTracingIncludes: { "/**": ["./prisma/migrations/**/*"] },
  // The same limit as route bodies; proxy.ts answers larger server action bodies with a 413 first.
  experimental: { serverActions: { bodySizeLimit: MAX_BODY_BYTES } },
  // On every response, static files included; proxy.ts adds the per-request Content-Security-Policy.
  async headers() {
    // proxy.ts sets these (and the CSP) on everything but static files; under these two prefixes it
    // alone does, so document previews can be framed by this origin (framablePreview).
    return [
      { source: "/((?!api/v1/documents/|sign/).*)", headers: fixedSecurityHeaders(process.env.NODE_ENV === "production") },
      // The proxy does not run for the API (proxy.ts config), so its policy is fixed here.
      { source: "/api/((?!v1/documents/).*)", headers: [{ key: "Content-Security-Policy", value: apiSecurityPolicy }] },
    ];
  },
};

export default nextConfig;
