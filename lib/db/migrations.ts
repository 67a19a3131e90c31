import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { AppError } from "@/lib/errors";

// The migration history is plain SQL in Prisma's layout (prisma/migrations/<name>/migration.sql)
// and is recorded in Prisma's own `_prisma_migrations` table, so `prisma migrate deploy` can take
// over wherever its engine is available. We apply it ourselves because that engine cannot be
// downloaded offline and does not speak to the embedded PGlite.

/** The few SQL operations migrations need, implemented by both PGlite and node-postgres. */
export interface SqlSession {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements. */
  exec(sql: string): Promise<void>;
}

export type Migration = { name: string; sql: string; checksum: string };
export type MigrationStatus = { applied: string[]; pending: string[] };

// Traced into standalone output by outputFileTracingIncludes (next.config.ts), not by analysis.
export const migrationsDir = () => path.join(/* turbopackIgnore: true */ process.cwd(), "prisma", "migrations");

export function readMigrations(dir = migrationsDir()): Migration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const ledgerDdl = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

type LedgerRow = { migration_name: string; checksum: string; finished_at: Date | null };

async function ledger(session: SqlSession): Promise<Map<string, LedgerRow>> {
  const exists = await session.query<{ present: boolean }>(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`);
  if (!exists[0]?.present) return new Map();
  const rows = await session.query<LedgerRow>(`SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`);
  return new Map(rows.map((row) => [row.migration_name, row]));
}

export async function migrationStatus(session: SqlSession, migrations = readMigrations()): Promise<MigrationStatus> {
  const done = await ledger(session);
  for (const migration of migrations) {
    const row = done.get(migration.name);
    if (row && row.checksum !== migration.checksum) {
      throw new AppError("config_invalid", `migration ${migration.name} was changed after it was applied`, {
        remediation: "Restore the original migration.sql and put the change in a new migration.",
      });
    }
    if (row && !row.finished_at) {
      throw new AppError("config_invalid", `migration ${migration.name} started but did not finish`, {
        remediation: "Inspect the database, then delete its row from _prisma_migrations and migrate again.",
      });
    }
  }
  return {
    applied: migrations.filter((m) => done.has(m.name)).map((m) => m.name),
    pending: migrations.filter((m) => !done.has(m.name)).map((m) => m.name),
  };
}

/** Applies each pending migration in its own transaction, so a failure leaves nothing half-done. */
export async function migrate(session: SqlSession, migrations = readMigrations()): Promise<string[]> {
  await session.exec(ledgerDdl);
  const { pending } = await migrationStatus(session, migrations);
  for (const name of pending) {
    const migration = migrations.find((m) => m.name === name)!;
    const id = randomUUID();
    await session.exec("BEGIN");
    try {
      await session.exec(migration.sql);
      await session.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), 1)`,
        [id, migration.checksum, migration.name],
      );
      await session.exec("COMMIT");
    } catch (error) {
      await session.exec("ROLLBACK");
      throw new AppError("config_invalid", `migration ${name} failed: ${(error as Error).message}`, {
        remediation: "Fix the migration SQL or the database state, then run `npm run db:migrate` again.",
      });
    }
  }
  return pending;
}
