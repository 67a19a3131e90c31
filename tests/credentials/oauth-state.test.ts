import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumeOAuthState, createOAuthState, OAUTH_STATE_TTL_MS } from "@/lib/credentials/oauth";
import { AppError } from "@/lib/errors";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { seedCompany } from "../support/seed";
import { randomKey } from "../integrations/support";
import { setTestEnv } from "../support/env";

let database: TestDatabase;
let userId: string;
let otherUserId: string;
let companyId: string;

beforeAll(async () => {
  setTestEnv({ ENCRYPTION_KEY: process.env.ENCRYPTION_KEY ?? randomKey(), NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? randomKey() });
  database = await openTestDatabase();
  const seeded = await seedCompany(database.prisma, "OAuth");
  userId = seeded.owner.userId!;
  companyId = seeded.owner.companyId;
  otherUserId = seeded.ids.memberUserId;
});
afterAll(async () => {
  await database.close();
});

const start = (extra: { now?: Date; pkce?: boolean } = {}) =>
  createOAuthState(database.prisma, {
    provider: "slack",
    userId,
    companyId,
    owner: "company",
    redirectUri: "http://app.test/cb",
    pkce: extra.pkce ?? false,
    ...(extra.now ? { now: extra.now } : {}),
  });

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).message;
  }
  throw new Error("expected the state to be refused");
}

describe("OAuth state", () => {
  it("is accepted once, for the user who started it, and stores only its hash", async () => {
    const { state } = await start();
    const stored = await database.prisma.oAuthState.findMany({ where: { userId } });
    expect(JSON.stringify(stored)).not.toContain(state);
    const consumed = await consumeOAuthState(database.prisma, { provider: "slack", state, userId });
    expect(consumed).toMatchObject({ companyId, owner: "company", redirectUri: "http://app.test/cb", codeVerifier: null });
  });

  it("refuses a forged state", async () => {
    expect(await refusal(consumeOAuthState(database.prisma, { provider: "slack", state: "made-up-state", userId }))).toMatch(/not valid/);
  });

  it("refuses a reused state, even when two callbacks race", async () => {
    const { state } = await start();
    const results = await Promise.allSettled([1, 2].map(() => consumeOAuthState(database.prisma, { provider: "slack", state, userId })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await refusal(consumeOAuthState(database.prisma, { provider: "slack", state, userId }))).toMatch(/already used/);
  });

  it("refuses a state older than 10 minutes", async () => {
    const { state } = await start({ now: new Date(Date.now() - OAUTH_STATE_TTL_MS - 1_000) });
    expect(await refusal(consumeOAuthState(database.prisma, { provider: "slack", state, userId }))).toMatch(/10 minutes/);
  });

  it("refuses a state started by someone else or for another provider", async () => {
    const { state } = await start();
    expect(await refusal(consumeOAuthState(database.prisma, { provider: "slack", state, userId: otherUserId }))).toMatch(/not valid/);
    expect(await refusal(consumeOAuthState(database.prisma, { provider: "other", state, userId }))).toMatch(/not valid/);
    // a refused attempt does not burn it for its owner
    await consumeOAuthState(database.prisma, { provider: "slack", state, userId });
  });

  it("keeps a PKCE verifier sealed and gives it back with the matching S256 challenge", async () => {
    const { state, pkce } = await start({ pkce: true });
    expect(pkce!.challenge).toBe(createHash("sha256").update(pkce!.verifier).digest("base64url"));
    const stored = await database.prisma.oAuthState.findFirstOrThrow({ where: { sealedVerifier: { not: null } } });
    expect(stored.sealedVerifier).not.toContain(pkce!.verifier);
    expect((await consumeOAuthState(database.prisma, { provider: "slack", state, userId })).codeVerifier).toBe(pkce!.verifier);
  });
});
