import { randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Env } from "@/lib/config/env";

// The CLI cannot open the embedded database while the app holds it, so it asks the app instead.
// The app writes its address and a fresh token into the data folder (mode 0600): whoever can read
// that folder is an operator, as with a Unix socket.
export const operatorFileSchema = z.object({ pid: z.number(), url: z.string(), token: z.string() });
export type OperatorFile = z.infer<typeof operatorFileSchema>;

const holder = globalThis as unknown as { __flowlineOperatorToken?: string };

export const operatorFile = (dataDir: string) => path.join(dataDir, "operator.json");

export function publishOperatorEndpoint(env: Env): void {
  holder.__flowlineOperatorToken = randomBytes(32).toString("base64url");
  const file = operatorFile(env.FLOWLINE_DATA_DIR);
  const content: OperatorFile = { pid: process.pid, url: env.appUrl, token: holder.__flowlineOperatorToken };
  fs.writeFileSync(file, JSON.stringify(content), { mode: 0o600 });
  process.once("exit", () => {
    try {
      const current = operatorFileSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
      if (current.pid === process.pid) fs.unlinkSync(file);
    } catch {
      // gone or rewritten by a newer process: leave it
    }
  });
}

export function isOperatorToken(candidate: string | null): boolean {
  const expected = holder.__flowlineOperatorToken;
  if (!expected || !candidate) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
