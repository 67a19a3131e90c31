import { createHash, randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import { audit } from "@/lib/audit";
import { requireRole, type Caller } from "@/lib/auth/roles";
import { createApiKeySchema, idSchema } from "@/lib/companies/schemas";

// Keys carry 256 random bits, so a fast hash is enough to store them: nobody can brute-force the input.
const KEY_PREFIX = "fl_";
const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");
// Writing lastUsedAt on every request would put a write on the hot path; once a minute is enough for people.
const LAST_USED_RESOLUTION_MS = 60_000;
/**
 * Every API call authenticates, so a key's row is cached for this long. A key revoked in this
 * process stops working at once; one revoked by another process (a second app server) within
 * this time. Short enough for a revocation, long enough that a busy client costs no read.
 */
export const API_KEY_CACHE_MS = 5_000;
const KEYS_KEPT = 10_000;

type CachedKey = { caller: Caller; readAt: number; lastUsedAt: number | null };
const keyCache = new Map<string, CachedKey>();

export type ApiKeySummary = { id: string; name: string; prefix: string; lastUsedAt: Date | null; createdAt: Date };

const summary = { id: true, name: true, prefix: true, lastUsedAt: true, createdAt: true } as const;

export async function createApiKey(db: Db, caller: Caller, raw: unknown): Promise<{ key: string; apiKey: ApiKeySummary }> {
  requireRole(caller, "admin");
  const { name } = createApiKeySchema.parse(raw);
  const key = KEY_PREFIX + randomBytes(32).toString("base64url");
  const apiKey = await db.$transaction(async (tx) => {
    const created = await tx.apiKey.create({
      data: { companyId: caller.companyId, name, prefix: key.slice(0, 10), keyHash: hashKey(key), createdById: caller.userId },
      select: summary,
    });
    await audit(tx, { companyId: caller.companyId, actorUserId: caller.userId, actorApiKey: caller.apiKeyId }, "apikey.created", "apikey", created.id, {
      name,
    });
    return created;
  });
  return { key, apiKey };
}

export async function listApiKeys(db: Db, caller: Caller): Promise<ApiKeySummary[]> {
  return db.apiKey.findMany({ where: { companyId: caller.companyId, revokedAt: null }, select: summary, orderBy: { createdAt: "desc" } });
}

export async function revokeApiKey(db: Db, caller: Caller, raw: unknown): Promise<void> {
  requireRole(caller, "admin");
  const { id } = idSchema.parse(raw);
  await db.$transaction(async (tx) => {
    const key = await tx.apiKey.findFirst({ where: { id, companyId: caller.companyId, revokedAt: null }, select: { name: true } });
    const { count } = await tx.apiKey.updateMany({ where: { id, companyId: caller.companyId, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count === 0 || !key) throw notFound("API key");
    for (const [hash, cached] of keyCache) if (cached.caller.apiKeyId === id) keyCache.delete(hash);
    await audit(tx, { companyId: caller.companyId, actorUserId: caller.userId, actorApiKey: caller.apiKeyId }, "apikey.revoked", "apikey", id, {
      name: key.name,
    });
  });
}

const unauthenticated = () =>
  new AppError("unauthenticated", "A valid API key is required", {
    remediation: "Send `Authorization: Bearer <key>`; create a key in Settings > API keys.",
  });

/** Resolves `Authorization: Bearer <key>` to the key's company. API keys act with the admin role. */
export async function authenticateApiKey(db: Db, authorization: string | null, now: () => number = Date.now): Promise<Caller> {
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  if (!match?.[1]?.startsWith(KEY_PREFIX)) throw unauthenticated();
  const hash = hashKey(match[1]);
  let cached = keyCache.get(hash);
  if (!cached || now() - cached.readAt > API_KEY_CACHE_MS) {
    keyCache.delete(hash);
    const apiKey = await db.apiKey.findUnique({ where: { keyHash: hash }, select: { id: true, companyId: true, revokedAt: true, lastUsedAt: true } });
    if (!apiKey || apiKey.revokedAt) throw unauthenticated();
    cached = {
      caller: { companyId: apiKey.companyId, role: "admin", userId: null, apiKeyId: apiKey.id },
      readAt: now(),
      lastUsedAt: apiKey.lastUsedAt?.getTime() ?? null,
    };
    if (keyCache.size >= KEYS_KEPT) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(hash, cached);
  }
  if (cached.lastUsedAt === null || now() - cached.lastUsedAt > LAST_USED_RESOLUTION_MS) {
    cached.lastUsedAt = now();
    await db.apiKey.update({ where: { id: cached.caller.apiKeyId! }, data: { lastUsedAt: new Date(cached.lastUsedAt) } });
  }
  return { ...cached.caller };
}
