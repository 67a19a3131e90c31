import type { Db } from "@/lib/db";
import { getKeyring, open, seal, type Keyring } from "@/lib/credentials/crypto";

// Re-seals every stored secret with the current key, so keys listed in ENCRYPTION_KEYS_PREVIOUS
// can be dropped afterwards. Safe to run while the app runs: each row is replaced only if its
// ciphertext is still the one that was read (a token refresh in between wins and is already current).

export type RotationReport = { total: number; rotated: number; current: number; failed: { id: string; keyId: string; reason: string }[] };

export async function rotateKeys(db: Db, keyring: Keyring = getKeyring(), batchSize = 100): Promise<RotationReport> {
  const report: RotationReport = { total: 0, rotated: 0, current: 0, failed: [] };
  let cursor: string | undefined;
  for (;;) {
    const rows = await db.credential.findMany({
      select: { id: true, keyId: true, ciphertext: true },
      orderBy: { id: "asc" },
      take: batchSize,
      ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
    });
    if (rows.length === 0) break;
    cursor = rows[rows.length - 1]!.id;
    for (const row of rows) {
      report.total++;
      if (row.keyId === keyring.currentKeyId) {
        report.current++;
        continue;
      }
      try {
        const sealed = seal(open(row, keyring), keyring);
        const updated = await db.credential.updateMany({ where: { id: row.id, ciphertext: row.ciphertext }, data: sealed });
        if (updated.count === 1) report.rotated++;
        else report.current++;
      } catch (error) {
        report.failed.push({ id: row.id, keyId: row.keyId, reason: (error as Error).message });
      }
    }
  }
  // PKCE verifiers of authorizations in flight live ten minutes; re-seal them too.
  const states = await db.oAuthState.findMany({
    where: { usedAt: null, keyId: { not: keyring.currentKeyId } },
    select: { id: true, keyId: true, sealedVerifier: true },
  });
  for (const state of states) {
    if (!state.keyId || !state.sealedVerifier) continue;
    try {
      const sealed = seal(open({ keyId: state.keyId, ciphertext: state.sealedVerifier }, keyring), keyring);
      await db.oAuthState.update({ where: { id: state.id }, data: { keyId: sealed.keyId, sealedVerifier: sealed.ciphertext } });
    } catch {
      // an undecryptable state only fails its own callback
    }
  }
  // Webhook signing secrets (and, during their grace period, the ones they replaced).
  const hooks = await db.webhookSecret.findMany({
    where: { OR: [{ keyId: { not: keyring.currentKeyId } }, { previousKeyId: { not: keyring.currentKeyId } }] },
  });
  for (const hook of hooks) {
    report.total++;
    try {
      const current = hook.keyId === keyring.currentKeyId ? { keyId: hook.keyId, ciphertext: hook.ciphertext } : seal(open(hook, keyring), keyring);
      const previous =
        hook.previousKeyId && hook.previousCiphertext ? seal(open({ keyId: hook.previousKeyId, ciphertext: hook.previousCiphertext }, keyring), keyring) : null;
      const updated = await db.webhookSecret.updateMany({
        where: { workflowId: hook.workflowId, ciphertext: hook.ciphertext },
        data: {
          keyId: current.keyId,
          ciphertext: current.ciphertext,
          ...(previous ? { previousKeyId: previous.keyId, previousCiphertext: previous.ciphertext } : {}),
        },
      });
      if (updated.count === 1) report.rotated++;
      else report.current++;
    } catch (error) {
      report.failed.push({ id: hook.workflowId, keyId: hook.keyId, reason: (error as Error).message });
    }
  }
  return report;
}
