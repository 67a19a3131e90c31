import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migratedEmbeddedSnapshot, openServer } from "@/lib/db/open";
import { serverUrl, testDbKind } from "./database";
import { spawnedEntryPoints } from "./entry-points";

// Once per vitest run: the programs tests spawn, built (./entry-points.ts), and a migrated database
// that every test file copies instead of migrating its own. On PGlite a dump of its data folder,
// loaded by each file; on the server a template database, which CREATE DATABASE … TEMPLATE copies.

declare module "vitest" {
  export interface ProvidedContext {
    pgliteSnapshot: string;
    pgTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const entryPointsDir = await buildEntryPoints();
  project.provide("entryPointsDir", entryPointsDir);
  const database = await migratedDatabase(project);
  return async () => {
    fs.rmSync(entryPointsDir, { recursive: true, force: true });
    await database();
  };
}

/** Makes the run's migrated database; returns what removes it. */
async function migratedDatabase(project: TestProject): Promise<() => Promise<void>> {
  if (testDbKind === "pglite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowline-snapshot-"));
    const file = path.join(dir, "migrated.tar");
    const dump = await migratedEmbeddedSnapshot();
    fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    project.provide("pgliteSnapshot", file);
    project.provide("pgTemplate", "");
    return async () => fs.rmSync(dir, { recursive: true, force: true });
  }
  const name = `flowline_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openServer(url.toString(), { poolSize: 1 });
  await database.migrate();
  await database.close();
  project.provide("pgTemplate", name);
  project.provide("pgliteSnapshot", "");
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  };
}

/**
 * Builds every spawned entry point into a new folder and returns it. The folder is inside
 * node_modules so the built files find their packages the way the sources do.
 */
async function buildEntryPoints(): Promise<string> {
  const cache = path.join(process.cwd(), "node_modules", ".cache");
  fs.mkdirSync(cache, { recursive: true });
  const outdir = fs.mkdtempSync(path.join(cache, "flowline-entry-points-"));
  await build({
    entryPoints: [...spawnedEntryPoints],
    outbase: ".",
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    tsconfig: "tsconfig.json",
    sourcemap: "inline",
    logLevel: "warning",
  });
  return outdir;
}
