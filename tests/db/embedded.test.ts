import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openEmbedded } from "@/lib/db/open";
import { migrate, migrationStatus, readMigrations, type SqlSession } from "@/lib/db/migrations";
import { PGlite } from "@electric-sql/pglite";
import { migratedSnapshot, seedEmbeddedDataDir } from "../support/embedded-snapshot";
import { entryPoint } from "../support/entry-points";

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowline-embedded-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const session = (db: PGlite): SqlSession => ({
  query: async <T>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows,
  exec: async (sql) => {
    await db.exec(sql);
  },
});

/** Runs a child process that tries to open the same data folder; resolves with its exit and stderr. */
function openInAnotherProcess(dataDir: string): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...entryPoint("tests/support/open-embedded.ts"), dataDir], {
      cwd: process.cwd(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => resolve({ code, stderr, ms: Date.now() - started }));
  });
}

// Creating a database and applying every migration costs seconds of WASM, so two tests do it (a new
// folder, a new in-memory database); the others start from a copy of the run's migrated database.
// Some open it in spawned processes: on a loaded 2-core machine that has taken over 30 s.
describe("the embedded database", { timeout: 120_000 }, () => {
  it("is created and migrated in a new folder, and keeps its data across a restart", async () => {
    const dataDir = tempDir();
    const first = await openEmbedded({ dataDir });
    await first.prisma.company.create({ data: { name: "Persisted", slug: "persisted" } });
    await first.close();

    const second = await openEmbedded({ dataDir });
    expect(await second.prisma.company.findUnique({ where: { slug: "persisted" } })).toMatchObject({ name: "Persisted" });
    expect((await second.migrationStatus()).pending).toEqual([]);
    await second.close();
  });

  it("refuses a second process quickly with a message naming the owner", async () => {
    const dataDir = tempDir();
    await seedEmbeddedDataDir(dataDir);
    const owner = await openEmbedded({ dataDir });
    try {
      const other = await openInAnotherProcess(dataDir);
      expect(other.code).toBe(3);
      expect(other.stderr).toContain(`database in use by pid ${process.pid}; stop it or set DATABASE_URL`);
    } finally {
      await owner.close();
    }
    // once the owner has closed, the next process gets in
    const after = await openInAnotherProcess(dataDir);
    expect(after.code).toBe(0);
  });

  it("takes over a lock left by a process that died", async () => {
    const dataDir = tempDir();
    await seedEmbeddedDataDir(dataDir);
    fs.writeFileSync(path.join(dataDir, "pglite.lock"), "999999");
    const database = await openEmbedded({ dataDir });
    expect(fs.readFileSync(path.join(dataDir, "pglite.lock"), "utf8")).toBe(String(process.pid));
    await database.close();
    expect(fs.existsSync(path.join(dataDir, "pglite.lock"))).toBe(false);
  });
});

describe("migrations", { timeout: 120_000 }, () => {
  it("run once: a second migrate applies nothing", async () => {
    const db = new PGlite();
    const all = readMigrations();
    expect(await migrate(session(db))).toEqual(all.map((m) => m.name));
    expect(await migrate(session(db))).toEqual([]);
    const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(rows.rows[0]?.n).toBe(all.length);
    await db.close();
  });

  it("refuse a migration edited after it was applied", async () => {
    const db = await PGlite.create({ loadDataDir: migratedSnapshot() });
    const all = readMigrations();
    const edited = all.map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
    await expect(migrationStatus(session(db), edited)).rejects.toThrow(/was changed after it was applied/);
    await db.close();
  });

  it("roll back a failing migration completely", async () => {
    const db = await PGlite.create({ loadDataDir: migratedSnapshot() });
    const broken = [...readMigrations(), { name: "99999999999999_broken", sql: `CREATE TABLE "Half" (id int); SELECT nope;`, checksum: "x" }];
    await expect(migrate(session(db), broken)).rejects.toThrow(/migration 99999999999999_broken failed/);
    const half = await db.query<{ t: string | null }>(`SELECT to_regclass('"Half"')::text AS t`);
    expect(half.rows[0]?.t).toBeNull();
    expect((await migrationStatus(session(db), broken)).pending).toEqual(["99999999999999_broken"]);
    await db.close();
  });
});
