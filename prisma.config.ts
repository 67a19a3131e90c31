import { defineConfig } from "prisma/config";

// The CLI only needs a URL for `migrate deploy` against a server; `generate` works without one.
const url = process.env.DATABASE_URL;

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  ...(url ? { datasource: { url } } : {}),
});
