import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: ["lib/**/*.test.ts", "tests/**/*.test.ts", "cli/**/*.test.ts"],
    // *.pg.test.ts need several processes on one database: the Postgres server only.
    exclude: ["**/node_modules/**", ...(process.env.FLOWLINE_TEST_DB === "postgres" ? [] : ["**/*.pg.test.ts"])],
    environment: "node",
    // A migrated database made once, copied by each test file.
    globalSetup: ["tests/support/global-setup.ts"],
    // Generous: on a loaded 2-core machine a test that spawns processes (CLI, a second database
    // opener) can take tens of seconds without anything being wrong.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // two cores: files run in two workers; database tests each own their database.
    maxWorkers: 2,
  },
});
