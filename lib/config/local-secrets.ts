import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const secretsSchema = z.object({ encryptionKey: z.string().min(44), authSecret: z.string().min(32) });
export type LocalSecrets = z.infer<typeof secretsSchema>;

// Generated once per installation and reused, so sessions and encrypted credentials survive restarts.
export function loadOrCreateLocalSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, "secrets.json");
  if (fs.existsSync(file)) return secretsSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
  fs.mkdirSync(dataDir, { recursive: true });
  const secrets = { encryptionKey: randomBytes(32).toString("base64"), authSecret: randomBytes(32).toString("base64") };
  try {
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: "wx" });
    return secrets;
  } catch {
    // another process wrote it first: theirs wins
    return secretsSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
  }
}
