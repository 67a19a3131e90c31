import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { dummyPasswordHash, verifyPassword } from "@/lib/auth/password";
import { clearFailures, recordFailure, throttleState } from "@/lib/auth/throttle";
import { signInSchema } from "@/lib/companies/schemas";

// One message for an unknown email and a wrong password, so sign-in does not reveal who has an account.
export const INVALID_CREDENTIALS = "Invalid email or password";

export type SignedInUser = { id: string; email: string; name: string | null };

export async function verifyCredentials(db: Db, raw: unknown, clientIp: string | null): Promise<SignedInUser> {
  const parsed = signInSchema.safeParse(raw);
  if (!parsed.success) throw new AppError("unauthenticated", INVALID_CREDENTIALS);
  const { email, password } = parsed.data;
  // Without a known client address only the per-email limit applies, so one attacker cannot lock everyone out.
  const keys = clientIp ? [`email:${email}`, `ip:${clientIp}`] : [`email:${email}`];
  const state = await throttleState(db, keys);
  if (state.locked) {
    throw new AppError("rate_limited", `Too many failed attempts. Try again in ${state.retryAfterSeconds} seconds.`, {
      retryAfterSeconds: state.retryAfterSeconds,
    });
  }
  const user = await db.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, passwordHash: true } });
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !user.passwordHash || !ok) {
    await recordFailure(db, keys);
    throw new AppError("unauthenticated", INVALID_CREDENTIALS);
  }
  await clearFailures(db, [`email:${email}`]);
  return { id: user.id, email: user.email, name: user.name };
}
