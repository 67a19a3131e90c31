import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Loaded by Node at run time, not bundled: PGlite ships WASM and data files, the database
  // drivers and the logger use dynamic requires that bundling would break.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "@prisma/adapter-pg",
    "pg",
    "pino",
    "@slack/web-api",
    "@trigger.dev/sdk",
  ],
  poweredByHeader: false,
  typedRoutes: false,
  // typecheck and lint run in `npm test`, once, rather than again inside every build.
  typescript: { ignoreBuildErrors: true },
  outputFileTracingIncludes: { "/**": ["./prisma/migrations/**/*"] },
};

export default nextConfig;
