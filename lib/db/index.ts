import { getEnv } from "@/lib/config/env";
import { openEmbedded, openServer, type Database } from "@/lib/db/open";
import { AppError } from "@/lib/errors";
import type { PrismaClient } from "@/lib/generated/prisma/client";

export type { Database } from "@/lib/db/open";
export type Db = PrismaClient;
/** The client inside an interactive transaction. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

// One database per process, shared by route handlers, server actions and the worker. Kept on
// globalThis because Next.js may evaluate this module more than once in a process.
const holder = globalThis as unknown as { __flowlineDb?: Promise<Database> };

async function openFromEnv(): Promise<Database> {
  const env = getEnv();
  if (env.embedded) return openEmbedded({ dataDir: env.FLOWLINE_DATA_DIR });
  const database = await openServer(env.DATABASE_URL!);
  const { pending } = await database.migrationStatus();
  if (pending.length > 0) {
    await database.close();
    throw new AppError("config_invalid", `the database has ${pending.length} pending migration(s): ${pending.join(", ")}`, {
      remediation: "Run `npm run db:migrate` against DATABASE_URL, then start again.",
    });
  }
  return database;
}

export function getDatabase(): Promise<Database> {
  if (!holder.__flowlineDb) {
    holder.__flowlineDb = openFromEnv();
    // A failed open is not cached, so the next request tries again (e.g. after the lock holder exits).
    holder.__flowlineDb.catch(() => {
      holder.__flowlineDb = undefined;
    });
  }
  return holder.__flowlineDb;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).prisma;
}

/** For tests and the CLI: use an already opened database as the process database. */
export function setDatabase(database: Database): void {
  holder.__flowlineDb = Promise.resolve(database);
}

export async function closeDatabase(): Promise<void> {
  const pending = holder.__flowlineDb;
  holder.__flowlineDb = undefined;
  if (pending) await (await pending).close();
}
