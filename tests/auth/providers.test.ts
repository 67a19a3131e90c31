import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAuthOptions, enabledSignInMethods } from "@/lib/auth/options";
import { parseEnv } from "@/lib/config/env";
import type { Db } from "@/lib/db";
import os from "node:os";
import fs from "node:fs";
import path from "node:path";

// A local server speaking the one Resend call the magic-link provider makes (POST /emails).
let server: http.Server;
let baseUrl: string;
const received: { authorization?: string; body: Record<string, unknown> }[] = [];
beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      received.push({ authorization: request.headers.authorization, body: JSON.parse(body) as Record<string, unknown> });
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: "email_1" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const dataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "flowline-providers-"));
// The adapter is only constructed here, never called: these tests do not reach the database.
const noDb = {} as Db;

describe("sign-in providers", () => {
  it("offers only email and password when nothing else is configured", () => {
    const env = parseEnv({ FLOWLINE_DATA_DIR: dataDir() });
    expect(enabledSignInMethods(env)).toEqual({ email: false, google: false, github: false });
    expect(buildAuthOptions(noDb, env).providers.map((p) => p.id)).toEqual(["credentials"]);
  });

  it("switches Google and GitHub on by their env pairs", () => {
    const env = parseEnv({
      FLOWLINE_DATA_DIR: dataDir(),
      GOOGLE_CLIENT_ID: "g",
      GOOGLE_CLIENT_SECRET: "gs",
      GITHUB_CLIENT_ID: "h",
      GITHUB_CLIENT_SECRET: "hs",
    });
    expect(buildAuthOptions(noDb, env).providers.map((p) => p.id)).toEqual(["credentials", "google", "github"]);
  });

  it("sends a magic link through Resend when RESEND_API_KEY and EMAIL_FROM are set", async () => {
    const env = parseEnv({
      FLOWLINE_DATA_DIR: dataDir(),
      RESEND_API_KEY: "re_test_fake",
      EMAIL_FROM: "Flowline <login@flowline.test>",
      RESEND_BASE_URL: baseUrl,
    });
    const email = buildAuthOptions(noDb, env).providers.find((p) => p.id === "email") as unknown as {
      options: { sendVerificationRequest: (params: { identifier: string; url: string }) => Promise<void> };
    };
    await email.options.sendVerificationRequest({ identifier: "ada@example.com", url: "http://localhost:3000/api/auth/callback/email?token=abc" });
    expect(received).toHaveLength(1);
    expect(received[0]!.authorization).toBe("Bearer re_test_fake");
    expect(received[0]!.body).toMatchObject({ from: "Flowline <login@flowline.test>", to: ["ada@example.com"], subject: "Your Flowline sign-in link" });
    expect(String(received[0]!.body.text)).toContain("http://localhost:3000/api/auth/callback/email?token=abc");
  });
});
