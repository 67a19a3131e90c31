import http from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { getServerSession } from "next-auth";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddress, PEER_HEADER, proxyTrust, recordPeerAddresses } from "@/lib/auth/client-address";
import { authLogger, buildAuthOptions } from "@/lib/auth/options";
import { verifyCredentials } from "@/lib/auth/sign-in";
import { signUp } from "@/lib/companies/accounts";
import { getEnv } from "@/lib/config/env";
import { toAppError } from "@/lib/http/route";
import { rateLimitedWarner } from "@/lib/log";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { setTestEnv } from "../support/env";

// Sign-in throttling per client address behind (or without) proxies, over real HTTP; and a flood
// of forged session cookies through next-auth itself.

let database: TestDatabase;
let server: http.Server;
let url: string;

beforeAll(async () => {
  database = await openTestDatabase();
  recordPeerAddresses();
  // A sign-in endpoint the way next-auth's authorize sees it: the request's headers, our throttling.
  server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", async () => {
      const address = clientAddress(request.headers);
      if (request.url === "/address") return void response.end(JSON.stringify({ address }));
      try {
        await verifyCredentials(database.prisma, JSON.parse(body) as unknown, address);
        response.end(JSON.stringify({ ok: true, address }));
      } catch (error) {
        response.end(JSON.stringify({ ok: false, code: toAppError(error).code, address }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  setTestEnv({ TRUST_PROXY: undefined });
  await new Promise((resolve) => server.close(resolve));
  await database.close();
});

const post = async (path: string, headers: Record<string, string>, body: unknown = {}) =>
  (await (await fetch(url + path, { method: "POST", headers, body: JSON.stringify(body) })).json()) as { ok?: boolean; code?: string; address: string | null };

describe("proxy trust", () => {
  it("ignores X-Forwarded-For (and a client's own peer header) unless TRUST_PROXY says to believe it", async () => {
    setTestEnv({ TRUST_PROXY: undefined });
    expect((await post("/address", { "x-forwarded-for": "203.0.113.7", [PEER_HEADER]: "198.51.100.1" })).address).toBe("127.0.0.1");
    setTestEnv({ TRUST_PROXY: "1" });
    expect((await post("/address", { "x-forwarded-for": "10.9.9.9, 203.0.113.7" })).address).toBe("203.0.113.7");
    setTestEnv({ TRUST_PROXY: "loopback" });
    expect((await post("/address", { "x-forwarded-for": "203.0.113.8" })).address).toBe("203.0.113.8");
    setTestEnv({ TRUST_PROXY: "10.0.0.0/8" });
    expect((await post("/address", { "x-forwarded-for": "203.0.113.9" })).address).toBe("127.0.0.1");
    setTestEnv({ TRUST_PROXY: undefined });
    // outside an HTTP request the address is unknown, so only the per-email limit applies
    expect(clientAddress({ "x-forwarded-for": "203.0.113.7" }, proxyTrust("1"))).toBeNull();
  });

  it("a spoofed X-Forwarded-For per attempt does not reset the per-address limit", { timeout: 60_000 }, async () => {
    setTestEnv({ TRUST_PROXY: undefined });
    await database.prisma.authThrottle.deleteMany({});
    const email = `real-${Date.now()}@throttle.test`;
    await signUp(database.prisma, { name: "Real", email, password: "the right password", company: "Throttled" });
    // six different unknown emails, each from a "different" forged address: the socket is the same
    for (let i = 0; i < 6; i++) {
      const attempt = await post("/signin", { "x-forwarded-for": `198.51.100.${i + 1}` }, { email: `nobody-${i}@throttle.test`, password: "wrong password" });
      expect(attempt).toMatchObject({ ok: false, code: "unauthenticated", address: "127.0.0.1" });
    }
    const locked = await post("/signin", { "x-forwarded-for": "192.0.2.200" }, { email, password: "the right password" });
    expect(locked).toMatchObject({ ok: false, code: "rate_limited" });
  });
});

describe("forged session cookies", () => {
  it("write one single-line warning per minute through next-auth, not an error stack per request", async () => {
    const lines: string[] = [];
    const sink = pino({ level: "info" }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
    let now = 1_000_000;
    const options = {
      ...buildAuthOptions(database.prisma, getEnv()),
      logger: authLogger(
        rateLimitedWarner(sink, 60_000, () => now),
        sink,
      ),
    };
    // getServerSession as pages call it, with a request that carries a forged cookie
    const withCookie = (value: string) =>
      [{ headers: {}, cookies: { "next-auth.session-token": value } }, { getHeader: () => undefined, setHeader: () => {} }, options] as unknown as Parameters<
        typeof getServerSession
      >;
    for (let i = 0; i < 50; i++) expect(await getServerSession(...withCookie(`forged.${i}.cookie`))).toBeNull();
    expect(lines).toHaveLength(1);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ level: 40, code: "JWT_SESSION_ERROR", msg: expect.stringContaining("JWT_SESSION_ERROR") });
    expect(first).not.toHaveProperty("stack");
    expect(lines[0]!.trim().split("\n")).toHaveLength(1);
    now += 61_000;
    await getServerSession(...withCookie("forged.again"));
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 40, suppressedSinceLast: 49 });
  });
});
