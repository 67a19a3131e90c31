import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { buildAuthOptions } from "@/lib/auth/options";
import { companyCookieOptions } from "@/lib/auth/session";
import { parseEnv } from "@/lib/config/env";
import { MAX_BODY_BYTES } from "@/lib/http/limits";
import nextConfig from "@/next.config";
import { config, proxy } from "@/proxy";

// The proxy in front of every request: security headers with a fresh nonce, and the 413 / 400 it
// answers in place of Next.js's 500s. e2e/security.spec.ts checks the same against the real server.

const request = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) => new NextRequest(new URL(path, "http://app.test"), init);

describe("proxy.ts", () => {
  it("sets a nonce-based CSP that forbids framing, and the other security headers, on pages", () => {
    const first = proxy(request("/workflows"));
    const second = proxy(request("/runs/abc"));
    for (const response of [first, second]) {
      const csp = response.headers.get("content-security-policy")!;
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    }
    const nonce = (response: Response) => response.headers.get("content-security-policy")!.match(/'nonce-([^']+)'/)![1];
    expect(nonce(first)).not.toBe(nonce(second));
    // the nonce reaches the page render through the request headers
    expect(first.headers.get("x-middleware-request-x-nonce")).toBe(nonce(first));
  });

  it("leaves API answers to next.config.ts's fixed headers and policy, except document previews", async () => {
    const matchers = config.matcher.map((m) => new RegExp(`^${m.source.replace(":path*", ".*")}$`));
    const proxied = (path: string) => matchers.some((m) => m.test(path));
    expect(proxied("/workflows")).toBe(true);
    expect(proxied("/api/v1/workflows/w1/runs")).toBe(false);
    expect(proxied("/api/hooks/w1")).toBe(false);
    expect(proxied("/api/v1/documents/d1/file")).toBe(true);
    const rules = await nextConfig.headers!();
    const headersFor = (path: string) =>
      rules.filter((rule) => new RegExp(`^${rule.source}$`).test(path)).flatMap((rule) => rule.headers.map((h) => [h.key.toLowerCase(), h.value]));
    const api = Object.fromEntries(headersFor("/api/v1/workflows/w1/runs"));
    expect(api["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(api["x-content-type-options"]).toBe("nosniff");
    expect(api["x-frame-options"]).toBe("DENY");
    expect(Object.fromEntries(headersFor("/api/v1/documents/d1/file"))["content-security-policy"]).toBeUndefined();
  });

  it("answers a server action body over the limit with 413 and the limit in plain text, which the UI shows", async () => {
    const response = proxy(request("/workflows", { method: "POST", headers: { "next-action": "abc123", "content-length": String(MAX_BODY_BYTES + 1) } }));
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(await response.text()).toMatch(/^The request is larger than the 1 MB limit\./);
    expect(proxy(request("/workflows", { method: "POST", headers: { "next-action": "abc123", "content-length": String(MAX_BODY_BYTES) } })).status).toBe(200);
  });

  it("answers a page path holding a NUL with 400 instead of letting it reach the database", () => {
    expect(proxy(request("/runs/%00")).status).toBe(400);
    expect(proxy(request("/runs/%E0%A4%A")).status).toBe(400);
    expect(proxy(request("/runs/abc")).status).toBe(200);
  });
});

describe("cookies", () => {
  it("are Secure when the app is served over HTTPS", () => {
    expect(companyCookieOptions("https://flowline.example.com")).toMatchObject({ secure: true, httpOnly: true, sameSite: "lax" });
    expect(companyCookieOptions("http://localhost:3000")).toMatchObject({ secure: false });
    const secret = "s".repeat(32);
    const key = Buffer.alloc(32, 1).toString("base64");
    const production = parseEnv({
      NODE_ENV: "production",
      DATABASE_URL: "postgres://x@db/x",
      APP_URL: "https://flowline.example.com",
      NEXTAUTH_SECRET: secret,
      ENCRYPTION_KEY: key,
    });
    const local = parseEnv({ APP_URL: "http://localhost:3000", NEXTAUTH_SECRET: secret, ENCRYPTION_KEY: key });
    const previous = process.env.NEXTAUTH_URL; // buildAuthOptions fills it in when unset
    expect(buildAuthOptions({} as never, production).useSecureCookies).toBe(true);
    expect(buildAuthOptions({} as never, local).useSecureCookies).toBe(false);
    if (previous === undefined) delete process.env.NEXTAUTH_URL;
    else process.env.NEXTAUTH_URL = previous;
  });
});
