import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY_CACHE_MS, authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from "@/lib/auth/api-keys";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { INVALID_CREDENTIALS, verifyCredentials } from "@/lib/auth/sign-in";
import type { Caller } from "@/lib/auth/roles";
import { signUp } from "@/lib/companies/accounts";
import { acceptInvite, createInvite, previewInvite } from "@/lib/companies/invites";
import { changeRole, removeMember } from "@/lib/companies/members";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { appFailure } from "../support/failure";

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});

const valid = { name: "Ada", email: "ada@example.com", password: "correct horse battery", company: "Analytical Engines" };

describe("sign-up", () => {
  it("creates the user, the company and an owner membership", async () => {
    const { userId, companyId } = await signUp(database.prisma, valid);
    const membership = await database.prisma.membership.findUniqueOrThrow({ where: { companyId_userId: { companyId, userId } } });
    expect(membership.role).toBe("owner");
    const user = await database.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    expect(user.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(user.passwordHash).not.toContain(valid.password);
  });

  it.each([
    ["a short password", { password: "short" }, "password", /at least 10/],
    ["a malformed email", { email: "not-an-email" }, "email", /valid email/],
    ["a blank company name", { company: " " }, "company", /at least 2/],
  ])("rejects %s with a field-level message and creates nothing", async (_label, change, field, message) => {
    const before = await database.prisma.user.count();
    const error = await appFailure(signUp(database.prisma, { ...valid, email: `x${before}@example.com`, ...change }));
    expect(error.issues?.find((i) => i.path[0] === field)?.message).toMatch(message);
    expect(await database.prisma.user.count()).toBe(before);
  });

  it("rejects a duplicate email (in any letter case) on the email field and creates nothing", async () => {
    const companies = await database.prisma.company.count();
    const error = await appFailure(signUp(database.prisma, { ...valid, email: "ADA@example.com", company: "Other" }));
    expect(error.code).toBe("conflict");
    expect(error.issues?.[0]).toMatchObject({ path: ["email"] });
    expect(await database.prisma.company.count()).toBe(companies);
  });
});

describe("sign-in", () => {
  it("accepts the right password and gives one message for a wrong password or an unknown email", async () => {
    await expect(verifyCredentials(database.prisma, { email: valid.email, password: valid.password }, "10.0.0.1")).resolves.toMatchObject({
      email: valid.email,
    });
    const wrong = await appFailure(verifyCredentials(database.prisma, { email: valid.email, password: "wrong password" }, "10.0.0.1"));
    const unknown = await appFailure(verifyCredentials(database.prisma, { email: "nobody@example.com", password: "whatever123" }, "10.0.0.1"));
    expect(wrong.message).toBe(INVALID_CREDENTIALS);
    expect(unknown.message).toBe(INVALID_CREDENTIALS);
    expect(wrong.code).toBe(unknown.code);
  });

  it("throttles repeated failures, even with the right password, then says when to retry", async () => {
    const email = "throttle@example.com";
    await signUp(database.prisma, { ...valid, email, company: "Throttled" });
    for (let i = 0; i < 5; i++) {
      expect((await appFailure(verifyCredentials(database.prisma, { email, password: "bad password" }, null))).code).toBe("unauthenticated");
    }
    expect((await appFailure(verifyCredentials(database.prisma, { email, password: "bad password" }, null))).code).toBe("unauthenticated");
    const locked = await appFailure(verifyCredentials(database.prisma, { email, password: valid.password }, null));
    expect(locked.code).toBe("rate_limited");
    expect(locked.message).toMatch(/Try again in \d+ seconds/);
  });

  it("hashes with scrypt and verifies only the same password", async () => {
    const hash = await hashPassword("pässword-ünicode");
    expect(await verifyPassword("pässword-ünicode", hash)).toBe(true);
    expect(await verifyPassword("password-unicode", hash)).toBe(false);
    expect(await hashPassword("pässword-ünicode")).not.toBe(hash);
  });
});

describe("members, invites and API keys", () => {
  let owner: Caller;
  beforeAll(async () => {
    const { userId, companyId } = await signUp(database.prisma, { ...valid, email: "owner@team.com", company: "Team" });
    owner = { companyId, userId, role: "owner", apiKeyId: null };
  });

  it("invites by a single-use link with the invited role", async () => {
    const { url } = await createInvite(database.prisma, owner, { role: "admin" }, "http://app.test");
    const token = url.split("/invite/")[1]!;
    expect(await previewInvite(database.prisma, token)).toEqual({ companyName: "Team", role: "admin" });
    const { userId } = await signUp(database.prisma, { ...valid, email: "joiner@team.com", company: "Joiner Co" });
    expect(await acceptInvite(database.prisma, userId, token)).toEqual({ companyId: owner.companyId });
    const membership = await database.prisma.membership.findUniqueOrThrow({ where: { companyId_userId: { companyId: owner.companyId, userId } } });
    expect(membership.role).toBe("admin");
    expect((await appFailure(acceptInvite(database.prisma, userId, token))).message).toMatch(/no longer valid/);
  });

  it("keeps at least one owner and lets only owners change roles", async () => {
    const mine = await database.prisma.membership.findFirstOrThrow({ where: { companyId: owner.companyId, userId: owner.userId! } });
    expect((await appFailure(changeRole(database.prisma, owner, { membershipId: mine.id, role: "member" }))).code).toBe("conflict");
    expect((await appFailure(removeMember(database.prisma, owner, { id: mine.id }))).code).toBe("conflict");
    const admin = { ...owner, role: "admin" as const };
    expect((await appFailure(changeRole(database.prisma, admin, { membershipId: mine.id, role: "member" }))).code).toBe("forbidden");
  });

  it("creates keys shown once, stores only a hash, authenticates and revokes them", async () => {
    const { key, apiKey } = await createApiKey(database.prisma, owner, { name: "CI" });
    expect(key).toMatch(/^fl_[A-Za-z0-9_-]{43}$/);
    const stored = await database.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(JSON.stringify(stored)).not.toContain(key);
    expect(stored.prefix).toBe(key.slice(0, 10));
    const caller = await authenticateApiKey(database.prisma, `Bearer ${key}`);
    expect(caller).toMatchObject({ companyId: owner.companyId, apiKeyId: apiKey.id });
    expect((await listApiKeys(database.prisma, owner)).map((k) => k.id)).toContain(apiKey.id);
    expect((await database.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } })).lastUsedAt).not.toBeNull();
    await revokeApiKey(database.prisma, owner, { id: apiKey.id });
    expect((await appFailure(authenticateApiKey(database.prisma, `Bearer ${key}`))).code).toBe("unauthenticated");
    expect((await appFailure(authenticateApiKey(database.prisma, "Bearer fl_nope"))).code).toBe("unauthenticated");
    expect((await appFailure(authenticateApiKey(database.prisma, null))).code).toBe("unauthenticated");
  });

  it("stops a key revoked by another process within the cache time", async () => {
    const { key, apiKey } = await createApiKey(database.prisma, owner, { name: "second server" });
    let now = Date.parse("2026-12-02T10:00:00Z");
    const clock = () => now;
    await authenticateApiKey(database.prisma, `Bearer ${key}`, clock);
    // another app process revokes it: this process does not hear of it, its cache holds the key
    await database.prisma.apiKey.update({ where: { id: apiKey.id }, data: { revokedAt: new Date() } });
    now += API_KEY_CACHE_MS - 1;
    expect((await authenticateApiKey(database.prisma, `Bearer ${key}`, clock)).apiKeyId).toBe(apiKey.id);
    now += 2;
    expect((await appFailure(authenticateApiKey(database.prisma, `Bearer ${key}`, clock))).code).toBe("unauthenticated");
    // and it stays refused (the refusal is not cached as a success)
    expect((await appFailure(authenticateApiKey(database.prisma, `Bearer ${key}`, clock))).code).toBe("unauthenticated");
  });

  it("does not let members manage keys", async () => {
    const member = { ...owner, role: "member" as const };
    expect((await appFailure(createApiKey(database.prisma, member, { name: "nope" }))).code).toBe("forbidden");
  });
});

describe("sign-up through an invite", () => {
  it("joins the inviting company instead of creating one, and uses up the link", async () => {
    const { userId, companyId } = await signUp(database.prisma, { ...valid, email: "host@invite.test", company: "Host" });
    const host: Caller = { companyId, userId, role: "owner", apiKeyId: null };
    const { url } = await createInvite(database.prisma, host, { role: "member" }, "http://app.test");
    const inviteToken = url.split("/invite/")[1]!;
    const companies = await database.prisma.company.count();
    const guest = await signUp(database.prisma, { name: "Guest", email: "guest@invite.test", password: valid.password, inviteToken });
    expect(guest.companyId).toBe(companyId);
    expect(await database.prisma.company.count()).toBe(companies);
    const again = await appFailure(signUp(database.prisma, { name: "Late", email: "late@invite.test", password: valid.password, inviteToken }));
    expect(again.message).toMatch(/no longer valid/);
    expect(await database.prisma.user.findUnique({ where: { email: "late@invite.test" } })).toBeNull();
  });
});
