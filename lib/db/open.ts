import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { pgliteWithCommitChecks, pgWithCommitChecks } from "@/lib/db/commit";
import { acquireEmbeddedLock } from "@/lib/db/embedded-lock";
import { migrate, migrationStatus, type MigrationStatus, type SqlSession } from "@/lib/db/migrations";
import { PrismaClient } from "@/lib/generated/prisma/client";

export type Database = {
  prisma: PrismaClient;
  kind: "embedded" | "server";
  /** Migration status read through the same connection the app uses. */
  migrationStatus(): Promise<MigrationStatus>;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
};

function pgliteSession(db: PGlite): SqlSession {
  return {
    query: async <T>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows,
    exec: async (sql) => {
      await db.exec(sql);
    },
  };
}

/**
 * The embedded database: PGlite in this process, stored under `<dataDir>/pglite`
 * (or in memory, for tests, optionally started from a dump of a migrated database: creating one
 * and applying every migration costs seconds, loading a dump a fraction of that).
 * Migrations are applied on open.
 */
export async function openEmbedded(options: { dataDir: string } | { memory: true; snapshot?: Blob }): Promise<Database> {
  const release = "dataDir" in options ? acquireEmbeddedLock(options.dataDir) : () => {};
  let db: PGlite;
  try {
    db =
      "dataDir" in options
        ? await PGlite.create(path.join(options.dataDir, "pglite"))
        : await PGlite.create(options.snapshot ? { loadDataDir: options.snapshot } : {});
    await migrate(pgliteSession(db));
  } catch (error) {
    release();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: pgliteWithCommitChecks(db) });
  return {
    prisma,
    kind: "embedded",
    migrationStatus: () => migrationStatus(pgliteSession(db)),
    migrate: () => migrate(pgliteSession(db)),
    close: async () => {
      await prisma.$disconnect();
      await db.close();
      release();
    },
  };
}

/** A dump of a fresh, migrated in-memory database, for openEmbedded({ memory: true, snapshot }). */
export async function migratedEmbeddedSnapshot(): Promise<Blob> {
  const db = await PGlite.create();
  try {
    await migrate(pgliteSession(db));
    return await db.dumpDataDir("none");
  } finally {
    await db.close();
  }
}

// Serializes migrations when several processes start against one server.
const MIGRATION_LOCK_KEY = 727_073_691;

async function withPgSession<T>(pool: pg.Pool, fn: (session: SqlSession) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn({
      query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
      exec: async (sql) => {
        await client.query(sql);
      },
    });
  } finally {
    client.release();
  }
}

/** A Postgres server through node-postgres. Migrations are applied by `npm run db:migrate`, not on open. */
export async function openServer(url: string, options: { poolSize?: number } = {}): Promise<Database> {
  // Room for the embedded worker's runs in flight (workerDefaults.server in lib/workflow/hosts/embedded.ts) and requests at once;
  // statements queue for a connection beyond it.
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 20 });
  const prisma = new PrismaClient({ adapter: pgWithCommitChecks(new PrismaPg(pool)) });
  return {
    prisma,
    kind: "server",
    migrationStatus: () => withPgSession(pool, (session) => migrationStatus(session)),
    migrate: () =>
      withPgSession(pool, async (session) => {
        await session.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
        try {
          return await migrate(session);
        } finally {
          await session.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
        }
      }),
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
