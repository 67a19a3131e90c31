import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, envVariableNames, parseEnv } from "@/lib/config/env";

const dataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "flowline-env-"));

function problems(source: Record<string, string>): string[] {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("configuration", () => {
  it("starts with nothing set: embedded database and secrets generated once, then reused", () => {
    const dir = dataDir();
    const first = parseEnv({ FLOWLINE_DATA_DIR: dir });
    expect(first.embedded).toBe(true);
    expect(Buffer.from(first.encryptionKey, "base64")).toHaveLength(32);
    expect(parseEnv({ FLOWLINE_DATA_DIR: dir }).encryptionKey).toBe(first.encryptionKey);
    expect(fs.statSync(path.join(dir, "secrets.json")).mode & 0o777).toBe(0o600);
  });

  it.each([
    [{ DATABASE_URL: "mysql://x" }, /^DATABASE_URL must be a postgres:\/\/ URL/],
    [{ ENCRYPTION_KEY: "short" }, /^ENCRYPTION_KEY must be 32 random bytes in base64/],
    [{ LOG_LEVEL: "loud" }, /^LOG_LEVEL /],
    [{ APP_URL: "not a url" }, /^APP_URL must be a URL/],
    [{ NODE_ENV: "production", DATABASE_URL: "postgres://h/db" }, /^ENCRYPTION_KEY is required in production/],
    [{ GITHUB_CLIENT_ID: "abc" }, /^GITHUB_CLIENT_SECRET must be set together with GITHUB_CLIENT_ID/],
    [{ RESEND_API_KEY: "re_x" }, /^EMAIL_FROM is required when RESEND_API_KEY is set/],
  ])("names the variable and what it should be: %o", (source, message) => {
    expect(problems({ FLOWLINE_DATA_DIR: dataDir(), ...source }).some((p) => message.test(p))).toBe(true);
  });

  it("documents every variable it reads in .env.example", () => {
    const documented = [...fs.readFileSync(".env.example", "utf8").matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    const undocumented = envVariableNames.filter((name) => name !== "NODE_ENV" && !documented.includes(name));
    expect(undocumented).toEqual([]);
    expect(documented.filter((name) => !envVariableNames.includes(name!))).toEqual([]);
  });
});
