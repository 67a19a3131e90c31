import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: ["lib/**/*.test.ts", "tests/**/*.test.ts", "cli/**/*.test.ts", "components/**/*.test.ts"],
    // *.pg.test.ts need several processes on one database: the Postgres server only.
    exclude: ["**/node_modules/**", ...(process.env.FLOWLINE_TEST_DB === "postgres" ? [] : ["**/*.pg.test.ts"])],
    environment: "node",
    // Once per run: a migrated database, copied by each test file, and the programs tests spawn, built.
    globalSetup: ["tests/support/global-setup.ts"],
    // Files take turns in two long-lived workers instead of a new process each: a file's own
    // start-up (node_modules loaded again) was about half the suite's CPU. What a new process gave a
    // file (its own modules, globals and env) tests/support/per-file.ts gives it.
    isolate: false,
    setupFiles: ["tests/support/per-file.ts"],
    // Generous: on a loaded 2-core machine a test that spawns processes (CLI, a second database
    // opener) can take tens of seconds without anything being wrong.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // two cores: files run in two workers; database tests each own their database.
    maxWorkers: 2,
  },
});
