import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeyring, open, seal, KeyUnavailableError } from "@/lib/credentials/crypto";
import { rotateKeys } from "@/lib/credentials/rotate";
import { rotateWebhookSecret } from "@/lib/triggers/webhook";
import { openSecret } from "@/lib/credentials/store";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { seedCompany } from "../support/seed";
import { connectSlack, randomKey } from "../integrations/support";
import { setTestEnv } from "../support/env";

describe("credential encryption", () => {
  it("round-trips through AES-256-GCM and stores the key id beside the ciphertext", () => {
    const keyring = createKeyring(randomKey());
    const sealed = seal("a secret value", keyring);
    expect(sealed.keyId).toBe(keyring.currentKeyId);
    expect(sealed.ciphertext).not.toContain("a secret value");
    expect(open(sealed, keyring)).toBe("a secret value");
    // a fresh IV each time: the same plaintext never seals the same way twice
    expect(seal("a secret value", keyring).ciphertext).not.toBe(sealed.ciphertext);
  });

  it("refuses a tampered ciphertext and a key it does not have", () => {
    const keyring = createKeyring(randomKey());
    const sealed = seal("payload", keyring);
    const body = Buffer.from(sealed.ciphertext.slice(3), "base64url");
    body[body.length - 1] = body[body.length - 1]! ^ 1;
    expect(() => open({ keyId: sealed.keyId, ciphertext: `v1.${body.toString("base64url")}` }, keyring)).toThrow();
    expect(() => open(sealed, createKeyring(randomKey()))).toThrow(KeyUnavailableError);
  });

  it("keeps decrypting with a previous key after rotation", () => {
    const oldKey = randomKey();
    const sealed = seal("still readable", createKeyring(oldKey));
    const rotated = createKeyring(randomKey(), [oldKey]);
    expect(rotated.currentKeyId).not.toBe(sealed.keyId);
    expect(open(sealed, rotated)).toBe("still readable");
  });
});

describe("keys rotate", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
    setTestEnv({ ENCRYPTION_KEY: undefined, ENCRYPTION_KEYS_PREVIOUS: undefined });
  });

  it("re-encrypts every credential to the current key, after which the old key can go", async () => {
    const db = database.prisma;
    const oldKey = randomKey();
    setTestEnv({ ENCRYPTION_KEY: oldKey, ENCRYPTION_KEYS_PREVIOUS: undefined, NEXTAUTH_SECRET: randomKey() });
    const { owner, ids } = await seedCompany(db, "Rotate");
    const first = await connectSlack(db, { companyId: owner.companyId }, "xoxb-fake-one");
    const second = await connectSlack(db, { userId: owner.userId! }, "xoxb-fake-two");
    const hook = await rotateWebhookSecret(db, owner, ids.workflowId);

    const newKey = randomKey();
    setTestEnv({ ENCRYPTION_KEY: newKey, ENCRYPTION_KEYS_PREVIOUS: oldKey });
    const keyring = createKeyring(newKey, [oldKey]);
    // before rotating, old rows still open
    expect(openSecret<{ accessToken: string }>(first, keyring).accessToken).toBe("xoxb-fake-one");

    const report = await rotateKeys(db, keyring);
    // the seeded row ("sealed" with an unknown key k1) is reported, not lost
    expect(report.rotated).toBe(3);
    expect(report.failed.map((f) => f.keyId)).toEqual(["k1"]);
    const rows = await db.credential.findMany({ where: { id: { in: [first.id, second.id] } } });
    expect(rows.every((row) => row.keyId === keyring.currentKeyId)).toBe(true);

    const withoutOld = createKeyring(newKey);
    expect(rows.map((row) => openSecret<{ accessToken: string }>(row, withoutOld).accessToken).sort()).toEqual(["xoxb-fake-one", "xoxb-fake-two"]);
    // webhook signing secrets too
    const sealedHook = await db.webhookSecret.findUniqueOrThrow({ where: { workflowId: ids.workflowId } });
    expect(open(sealedHook, withoutOld)).toBe(hook.secret);
    const again = await rotateKeys(db, keyring);
    expect(again.rotated).toBe(0);
  });
});
