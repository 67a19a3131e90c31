import { execFile } from "node:child_process";
import fs from "node:fs";
import { promisify } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SqlSession } from "@/lib/db/migrations";
import { describeCatalog } from "./catalog";

// Proves that prisma/schema.prisma and the database our migrations build agree, object by object:
// Prisma's own engine turns schema.prisma into SQL (tools/schema-diff), we build one database from
// that and take the run's migrated one (tests/support/global-setup.ts: prisma/migrations applied to
// an empty PGlite, by the same migrate() as here before), and compare their catalogs.

// Constraints schema.prisma cannot express; each one is added by a migration on purpose.
const MIGRATION_ONLY_CHECKS = ["Credential_owner_check"];

const session = (db: PGlite): SqlSession => ({
  query: async <T>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows,
  exec: async (sql) => {
    await db.exec(sql);
  },
});

describe("schema.prisma and the migrated database", () => {
  const fromSchema = new PGlite();
  let fromMigrations: PGlite;

  beforeAll(async () => {
    // The diff is a child process that mostly waits on Prisma's engine: the migrated copy loads meanwhile.
    const diffing = promisify(execFile)(process.execPath, ["tools/schema-diff/diff.mjs"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    fromMigrations = await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(inject("pgliteSnapshot"))]) });
    const { stdout: expectedSql } = await diffing;
    expect(expectedSql).toContain("CREATE TABLE");
    await fromSchema.exec(expectedSql);
  }, 120_000);

  afterAll(async () => {
    await fromSchema.close();
    await fromMigrations.close();
  });

  it("have the same enums, columns, types, nullability and defaults", async () => {
    const expected = await describeCatalog(session(fromSchema));
    const actual = await describeCatalog(session(fromMigrations));
    expect(actual.enums).toEqual(expected.enums);
    expect(actual.columns).toEqual(expected.columns);
    expect(actual.columns.length).toBeGreaterThan(100);
  });

  it("have the same indexes, primary keys, uniques and foreign keys (with their actions)", async () => {
    const expected = await describeCatalog(session(fromSchema));
    const actual = await describeCatalog(session(fromMigrations));
    expect(actual.indexes).toEqual(expected.indexes);
    const modelled = actual.constraints.filter((c) => !MIGRATION_ONLY_CHECKS.includes(c.name));
    expect(modelled).toEqual(expected.constraints);
    expect(actual.constraints.filter((c) => c.type === "f").length).toBeGreaterThan(20);
  });

  it("adds only the documented extra checks", async () => {
    const { constraints } = await describeCatalog(session(fromMigrations));
    expect(constraints.filter((c) => MIGRATION_ONLY_CHECKS.includes(c.name)).map((c) => c.name)).toEqual(MIGRATION_ONLY_CHECKS);
  });
});
