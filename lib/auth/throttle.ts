import type { Db } from "@/lib/db";

// Sign-in throttling shared by every process through the database: after FREE_FAILURES failures
// within the window, each further failure doubles the lockout, up to MAX_LOCK_MS.
const WINDOW_MS = 15 * 60_000;
const FREE_FAILURES = 5;
const BASE_LOCK_MS = 30_000;
const MAX_LOCK_MS = 15 * 60_000;

export type ThrottleState = { locked: false } | { locked: true; retryAfterSeconds: number };

export async function throttleState(db: Db, keys: string[], now = new Date()): Promise<ThrottleState> {
  const rows = await db.authThrottle.findMany({ where: { key: { in: keys }, lockedUntil: { gt: now } } });
  const until = Math.max(0, ...rows.map((row) => row.lockedUntil!.getTime()));
  return until > now.getTime() ? { locked: true, retryAfterSeconds: Math.ceil((until - now.getTime()) / 1000) } : { locked: false };
}

export async function recordFailure(db: Db, keys: string[], now = new Date()): Promise<void> {
  for (const key of keys) {
    await db.$transaction(async (tx) => {
      const row = await tx.authThrottle.findUnique({ where: { key } });
      const fresh = !row || now.getTime() - row.windowStartedAt.getTime() > WINDOW_MS;
      const failures = fresh ? 1 : row.failures + 1;
      const over = failures - FREE_FAILURES;
      const lockedUntil = over > 0 ? new Date(now.getTime() + Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (over - 1))) : null;
      const data = { failures, lockedUntil, ...(fresh ? { windowStartedAt: now } : {}) };
      await tx.authThrottle.upsert({ where: { key }, create: { key, ...data }, update: data });
    });
  }
}

export async function clearFailures(db: Db, keys: string[]): Promise<void> {
  await db.authThrottle.deleteMany({ where: { key: { in: keys } } });
}
