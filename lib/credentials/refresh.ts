import type { Db } from "@/lib/db";
import type { Credential } from "@/lib/generated/prisma/client";
import { openJson, sealJson } from "@/lib/credentials/crypto";

// Token refresh under a lock, so two runs never refresh the same connection at once (a refresh
// token is often single use: the second refresh would fail and break the connection).
// - Across processes: the credential row is locked (SELECT … FOR UPDATE) for the refresh.
// - Inside a process: one refresh promise per connection, shared by every waiter.
// Whoever gets the lock second sees a ciphertext that changed since it read the row, and uses the
// new token instead of refreshing again.

export type Refreshed<S> = { secret: S; tokenExpiresAt: Date | null };

const inFlight = new Map<string, Promise<Refreshed<unknown>>>();

export async function refreshCredentialLocked<S>(
  db: Db,
  seen: Pick<Credential, "id" | "ciphertext">,
  refresh: (secret: S) => Promise<{ secret: S; expiresAt: Date | null; scopes?: readonly string[] }>,
): Promise<Refreshed<S>> {
  const running = inFlight.get(seen.id);
  if (running) return running as Promise<Refreshed<S>>;
  const task = db
    .$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<{ keyId: string; ciphertext: string; tokenExpiresAt: Date | null }[]>`
          SELECT "keyId", "ciphertext", "tokenExpiresAt" FROM "Credential" WHERE "id" = ${seen.id} FOR UPDATE`;
        const row = rows[0];
        if (!row) throw new Error("The connection was deleted while refreshing its token");
        const current = openJson(row) as S;
        if (row.ciphertext !== seen.ciphertext) return { secret: current, tokenExpiresAt: row.tokenExpiresAt };
        const grant = await refresh(current);
        const sealed = sealJson(grant.secret);
        await tx.credential.update({
          where: { id: seen.id },
          data: { ...sealed, tokenExpiresAt: grant.expiresAt, lastValidatedAt: new Date(), ...(grant.scopes ? { scopes: grant.scopes.join(",") } : {}) },
        });
        return { secret: grant.secret, tokenExpiresAt: grant.expiresAt };
      },
      { maxWait: 30_000, timeout: 30_000 },
    )
    .finally(() => inFlight.delete(seen.id));
  inFlight.set(seen.id, task);
  return task;
}
