import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { openEmbedded, openServer, type Database } from "@/lib/db/open";
import { migratedSnapshot } from "./embedded-snapshot";

// Integration tests run on a real database: an in-memory PGlite by default, or a fresh database on
// the Postgres server when FLOWLINE_TEST_DB=postgres (scripts/test.mjs runs the suite both ways).
export const testDbKind = process.env.FLOWLINE_TEST_DB === "postgres" ? "postgres" : "pglite";
export const serverUrl = process.env.FLOWLINE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export type TestDatabase = Database & { url?: string };

/** A new database on the server: empty, or a copy of the run's migrated template (tests/support/global-setup.ts). */
export async function createServerDatabase(options: { migrated?: boolean } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `flowline_t_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}${options.migrated ? ` TEMPLATE ${inject("pgTemplate")}` : ""}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // Without FORCE: forcing would kill connections that are still closing (ours, just ended) and
    // surface as unhandled "terminating connection" errors. Closing ones are gone within moments.
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        for (let attempt = 0; ; attempt++) {
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name}`);
            return;
          } catch (error) {
            if ((error as { code?: string }).code !== "55006" || attempt >= 50) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A fresh, migrated database of the kind this run tests, copied from the run's migrated one;
 * close() also drops a server database.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  if (testDbKind === "pglite") {
    return openEmbedded({ memory: true, snapshot: migratedSnapshot() });
  }
  const { url, drop } = await createServerDatabase({ migrated: true });
  const database = await openServer(url, { poolSize: 4 });
  return {
    ...database,
    url,
    close: async () => {
      await database.close();
      await drop();
    },
  };
}
