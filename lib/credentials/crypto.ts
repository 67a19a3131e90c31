import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { getEnv } from "@/lib/config/env";

// AES-256-GCM envelopes for key material. Each sealed value carries the id of the key that sealed
// it (stored beside it in Credential.keyId), so a rotated-out key keeps decrypting until
// `npm run flowline -- keys rotate` has re-sealed everything with the current key.

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Binds every envelope to its purpose: a ciphertext from elsewhere does not open here.
const AAD = Buffer.from("flowline:credential:v1");

export type Keyring = {
  /** The id new envelopes are sealed with. */
  currentKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
};

export type Sealed = { keyId: string; ciphertext: string };

export class KeyUnavailableError extends Error {
  constructor(readonly keyId: string) {
    super(`The credential was sealed with key ${keyId}, which this server does not have`);
    this.name = "KeyUnavailableError";
  }
}

/** A key's id: a short hash of the key, so ids need no configuration and never collide by accident. */
export function keyIdOf(key: Buffer): string {
  return "k" + createHash("sha256").update(key).digest("hex").slice(0, 12);
}

function decodeKey(base64: string): Buffer {
  const key = Buffer.from(base64.trim(), "base64");
  if (key.length !== 32) throw new Error("An encryption key must be 32 bytes in base64");
  return key;
}

/** A keyring from base64 keys: the current one and any it replaced. */
export function createKeyring(current: string, previous: readonly string[] = []): Keyring {
  const keys = new Map<string, Buffer>();
  const currentKey = decodeKey(current);
  const currentKeyId = keyIdOf(currentKey);
  keys.set(currentKeyId, currentKey);
  for (const old of previous) {
    const key = decodeKey(old);
    keys.set(keyIdOf(key), key);
  }
  return { currentKeyId, keys };
}

/** The keyring of this server: ENCRYPTION_KEY (or the generated one) and ENCRYPTION_KEYS_PREVIOUS. */
export function getKeyring(): Keyring {
  const env = getEnv();
  // Built again only when the keys change: decoding and hashing them was most of what opening a
  // secret cost, once per webhook call.
  const source = `${env.encryptionKey}|${env.ENCRYPTION_KEYS_PREVIOUS ?? ""}`;
  if (serverKeyring?.source !== source) {
    const previous = env.ENCRYPTION_KEYS_PREVIOUS?.split(",").filter((k) => k.trim()) ?? [];
    serverKeyring = { source, keyring: createKeyring(env.encryptionKey, previous) };
  }
  return serverKeyring.keyring;
}
let serverKeyring: { source: string; keyring: Keyring } | undefined;

export function seal(plaintext: string, keyring: Keyring = getKeyring()): Sealed {
  const key = keyring.keys.get(keyring.currentKeyId)!;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const envelope = Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
  return { keyId: keyring.currentKeyId, ciphertext: `${VERSION}.${envelope}` };
}

export function open(sealed: Sealed, keyring: Keyring = getKeyring()): string {
  const key = keyring.keys.get(sealed.keyId);
  if (!key) throw new KeyUnavailableError(sealed.keyId);
  const [version, envelope] = sealed.ciphertext.split(".", 2);
  if (version !== VERSION || !envelope) throw new Error("The sealed value has an unknown format");
  const raw = Buffer.from(envelope, "base64url");
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error("The sealed value is truncated");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(AAD);
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
}

export const sealJson = (value: unknown, keyring?: Keyring): Sealed => seal(JSON.stringify(value), keyring);
export const openJson = (sealed: Sealed, keyring?: Keyring): unknown => JSON.parse(open(sealed, keyring)) as unknown;
