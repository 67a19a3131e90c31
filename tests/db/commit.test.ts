import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommitRefusedError } from "@/lib/db/commit";
import { openTestDatabase, type TestDatabase } from "../support/database";

// A transaction the database did not commit must not look committed, on either database: a
// deferred constraint that fails at COMMIT, and a statement that failed inside the transaction
// whose error the code swallowed (the database then answers COMMIT with ROLLBACK).

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase();
  await database.prisma.$executeRawUnsafe(`CREATE TABLE commit_probe (id text PRIMARY KEY, ok boolean NOT NULL)`);
  await database.prisma.$executeRawUnsafe(`CREATE FUNCTION commit_probe_check() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NOT NEW.ok THEN RAISE EXCEPTION 'commit_probe % is not ok', NEW.id; END IF; RETURN NULL; END $$`);
  await database.prisma.$executeRawUnsafe(
    `CREATE CONSTRAINT TRIGGER commit_probe_check AFTER INSERT ON commit_probe DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION commit_probe_check()`,
  );
}, 60_000);
afterAll(() => database.close());

const stored = async (id: string) => (await database.prisma.$queryRaw<{ id: string }[]>`SELECT id FROM commit_probe WHERE id = ${id}`).length;

describe("a refused COMMIT", () => {
  it("throws CommitRefusedError when a deferred constraint fails at the commit, and nothing is stored", async () => {
    const committed = database.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO commit_probe VALUES ('deferred', false)`;
      return "returned";
    });
    await expect(committed).rejects.toBeInstanceOf(CommitRefusedError);
    await expect(committed).rejects.toThrow(/commit_probe deferred is not ok/);
    expect(await stored("deferred")).toBe(0);
  });

  it("throws CommitRefusedError when a failed statement's error was swallowed inside, and nothing is stored", async () => {
    const committed = database.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO commit_probe VALUES ('swallowed', true)`;
      await tx.$executeRaw`INSERT INTO commit_probe VALUES ('swallowed', true)`.catch(() => "a duplicate key, ignored on purpose");
      return "returned";
    });
    await expect(committed).rejects.toBeInstanceOf(CommitRefusedError);
    await expect(committed).rejects.toThrow(/rolled back/);
    expect(await stored("swallowed")).toBe(0);
  });

  it("still commits a transaction that went well, and the database stays usable after a refusal", async () => {
    await expect(database.prisma.$transaction((tx) => tx.$executeRaw`INSERT INTO commit_probe VALUES ('fine', true)`)).resolves.toBe(1);
    expect(await stored("fine")).toBe(1);
  });
});
