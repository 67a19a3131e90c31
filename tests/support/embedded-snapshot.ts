import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { inject } from "vitest";

// The run's migrated PGlite database, for tests of the embedded database itself. Kept apart from
// ./database.ts: scripts/test.mjs runs a file again on the Postgres server when it imports that.

let snapshot: Blob | undefined;
/** The run's migrated PGlite database (tests/support/global-setup.ts), read once per file. */
export const migratedSnapshot = (): Blob => (snapshot ??= new Blob([fs.readFileSync(inject("pgliteSnapshot"))]));

/**
 * Fills the data folder `openEmbedded({ dataDir })` and the CLI open with a copy of the run's migrated
 * database, so their first open finds it instead of creating and migrating one (seconds of WASM each).
 */
export async function seedEmbeddedDataDir(dataDir: string): Promise<void> {
  const seeded = await PGlite.create(path.join(dataDir, "pglite"), { loadDataDir: migratedSnapshot() });
  await seeded.close();
}
