import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { getEnv } from "@/lib/config/env";

// Signing links: "<signer id>.<generation>.<mac>", the mac an HMAC-SHA256 under a key derived from
// the server's secret over the signer, the link's generation and the request's expiry. Only the
// sha256 of a token is stored (Signer.tokenHash), so the database alone cannot make a link; the
// server can make the same link again for a reminder, and a resend bumps the generation, which
// retires every earlier link. Single use and expiry are enforced where the link is used
// (lib/documents/signing.ts): a signer who signed or declined has no live link.

const signingKey = () => createHmac("sha256", getEnv().authSecret).update("flowline signing links v1").digest();

const macOf = (signerId: string, generation: number, expiresAt: Date) =>
  createHmac("sha256", signingKey()).update(`${signerId}\u0000${generation}\u0000${expiresAt.getTime()}`).digest("base64url");

export function signingToken(signerId: string, generation: number, expiresAt: Date): string {
  return `${signerId}.${generation}.${macOf(signerId, generation, expiresAt)}`;
}

export const hashSigningToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** The signer id a well-formed token names; null for anything else. */
export function parseSigningToken(token: string): { signerId: string; generation: number; mac: string } | null {
  const match = /^([a-z0-9]{10,40})\.(\d{1,6})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match ? { signerId: match[1]!, generation: Number(match[2]), mac: match[3]! } : null;
}

/** Whether the token's mac is the server's for this signer, generation and expiry (constant time). */
export function tokenMacValid(token: string, expiresAt: Date): boolean {
  const parsed = parseSigningToken(token);
  if (!parsed) return false;
  const expected = Buffer.from(macOf(parsed.signerId, parsed.generation, expiresAt));
  const given = Buffer.from(parsed.mac);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
