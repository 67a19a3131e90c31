import { createHash, randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { ConnectionOwner as OwnerKind } from "@/lib/generated/prisma/enums";
import { open, seal } from "@/lib/credentials/crypto";

// OAuth 2 authorization state: random, bound to the signed-in user (and company) who started it,
// single use, valid for 10 minutes. Only its sha256 is stored; the PKCE verifier is sealed.

export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
const base64url = (bytes: Buffer) => bytes.toString("base64url");

export type Pkce = { verifier: string; challenge: string; method: "S256" };

export function createPkce(): Pkce {
  const verifier = base64url(randomBytes(32));
  return { verifier, challenge: base64url(createHash("sha256").update(verifier).digest()), method: "S256" };
}

export type StartedState = { state: string; pkce: Pkce | null };

export async function createOAuthState(
  db: Db,
  input: { provider: string; userId: string; companyId: string; owner: OwnerKind; redirectUri: string; pkce: boolean; now?: Date },
): Promise<StartedState> {
  const state = base64url(randomBytes(32));
  const pkce = input.pkce ? createPkce() : null;
  const sealed = pkce ? seal(pkce.verifier) : null;
  const now = input.now ?? new Date();
  // Old states are useless: sweep them while we are here (indexed by expiresAt).
  await db.oAuthState.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - OAUTH_STATE_TTL_MS) } } });
  await db.oAuthState.create({
    data: {
      stateHash: sha256(state),
      provider: input.provider,
      userId: input.userId,
      companyId: input.companyId,
      owner: input.owner,
      sealedVerifier: sealed?.ciphertext ?? null,
      keyId: sealed?.keyId ?? null,
      redirectUri: input.redirectUri,
      expiresAt: new Date(now.getTime() + OAUTH_STATE_TTL_MS),
    },
  });
  return { state, pkce };
}

export type ConsumedState = { companyId: string; owner: OwnerKind; redirectUri: string; codeVerifier: string | null };

const refused = (why: string) => new AppError("bad_request", `The ${why}`, { remediation: "Start connecting again from Settings > Integrations." });

/**
 * Takes a state back from the provider's redirect. Refused when it is unknown (forged), already
 * used, expired, for another provider, or started by someone else than the signed-in user.
 * Marking it used is one conditional update, so two callbacks with one state cannot both pass.
 */
export async function consumeOAuthState(db: Db, input: { provider: string; state: string; userId: string; now?: Date }): Promise<ConsumedState> {
  const now = input.now ?? new Date();
  const row = await db.oAuthState.findUnique({ where: { stateHash: sha256(input.state) } });
  if (!row || row.provider !== input.provider || row.userId !== input.userId) throw refused("authorization state is not valid");
  const claimed = await db.oAuthState.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now } });
  if (claimed.count !== 1) throw refused("authorization state was already used");
  if (row.expiresAt.getTime() <= now.getTime()) throw refused("authorization took longer than 10 minutes");
  const codeVerifier = row.sealedVerifier && row.keyId ? open({ keyId: row.keyId, ciphertext: row.sealedVerifier }) : null;
  return { companyId: row.companyId, owner: row.owner, redirectUri: row.redirectUri, codeVerifier };
}
