import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeIntegrationAction } from "@/lib/integrations/execute";
import { addressRefusal, guardedFetch } from "@/lib/net/guarded-fetch";
import { WorkflowError } from "@/lib/workflow/errors";
import type { FakeSlack } from "@/fakes/slack/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { setTestEnv } from "../support/env";
import { seedCompany } from "../support/seed";
import { connectSlack, createRun, startSlackForTests, target } from "../integrations/support";

// The guarded fetch against real servers on 127.0.0.1: refused unless explicitly allowed, on the
// first request and on every redirect hop, with caps on size, time and redirects.

let server: http.Server;
let port: number;
let hung: http.ServerResponse[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    if (url.pathname === "/file") return void response.end("hello");
    if (url.pathname === "/big") return void response.end("x".repeat(5000));
    if (url.pathname === "/big-chunked") {
      response.write("x".repeat(3000));
      return void response.end("x".repeat(3000));
    }
    if (url.pathname === "/to-localhost") return void response.writeHead(302, { location: `http://localhost:${port}/file` }).end();
    if (url.pathname === "/to-metadata") return void response.writeHead(301, { location: "http://169.254.169.254/latest/meta-data/" }).end();
    if (url.pathname === "/loop") return void response.writeHead(302, { location: "/loop" }).end();
    if (url.pathname === "/hang") return void hung.push(response);
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  hung.forEach((response) => response.destroy());
  hung = [];
  await new Promise((resolve) => server.close(resolve));
});

async function failure(promise: Promise<unknown>): Promise<WorkflowError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowError);
  return error as WorkflowError;
}

describe("guarded fetch", () => {
  it("classifies every non-public address form, IPv4 and IPv6, and lets public ones through", () => {
    const refused = {
      "127.0.0.1": /loopback/,
      "127.8.9.10": /loopback/,
      "10.0.0.5": /private/,
      "172.16.3.4": /private/,
      "192.168.1.1": /private/,
      "100.64.0.1": /carrier-grade NAT/,
      "169.254.169.254": /link-local.*metadata/,
      "224.0.0.251": /multicast/,
      "0.0.0.0": /unspecified/,
      "255.255.255.255": /broadcast/,
      "::1": /loopback/,
      "::": /unspecified/,
      "::ffff:127.0.0.1": /loopback/,
      "::ffff:10.1.2.3": /private/,
      "fe80::1": /link-local/,
      "fd00:ec2::254": /unique local/,
      "ff02::1": /multicast/,
      "64:ff9b::7f00:1": /reserved/,
      "2002:7f00:1::": /reserved/,
    };
    for (const [address, reason] of Object.entries(refused)) expect(addressRefusal(address), address).toMatch(reason);
    for (const address of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"]) expect(addressRefusal(address), address).toBeNull();
  });

  it("refuses a server on 127.0.0.1 by address, by name and in IPv6 forms, unless it is allowed explicitly", async () => {
    for (const url of [
      `http://127.0.0.1:${port}/file`,
      `http://localhost:${port}/file`,
      `http://[::ffff:127.0.0.1]:${port}/file`,
      `http://[::1]:${port}/file`,
    ]) {
      const error = await failure(guardedFetch(url, { maxBytes: 1000, allow: [] }));
      expect(error.code, url).toBe("E_VALIDATION");
      expect(error.message, url).toMatch(/Refused to fetch .*loopback/);
    }
    // no configuration at all means nothing local is allowed
    setTestEnv({ FLOWLINE_OUTBOUND_ALLOW: undefined });
    expect((await failure(guardedFetch(`http://127.0.0.1:${port}/file`, { maxBytes: 1000 }))).code).toBe("E_VALIDATION");
    setTestEnv({ FLOWLINE_OUTBOUND_ALLOW: `127.0.0.1:${port}` });
    const allowed = await guardedFetch(`http://127.0.0.1:${port}/file`, { maxBytes: 1000 });
    expect(allowed).toMatchObject({ status: 200, body: Buffer.from("hello") });
    setTestEnv({ FLOWLINE_OUTBOUND_ALLOW: undefined });
  });

  it("checks every redirect hop, and caps redirects", async () => {
    const allow = [`127.0.0.1:${port}`];
    const toLocalhost = await failure(guardedFetch(`http://127.0.0.1:${port}/to-localhost`, { maxBytes: 1000, allow }));
    expect(toLocalhost.message).toMatch(new RegExp(`Refused to fetch http://localhost:${port}: localhost resolves to .*loopback`));
    const toMetadata = await failure(guardedFetch(`http://127.0.0.1:${port}/to-metadata`, { maxBytes: 1000, allow }));
    expect(toMetadata.message).toMatch(/169\.254\.169\.254 is a link-local address/);
    const loop = await failure(guardedFetch(`http://127.0.0.1:${port}/loop`, { maxBytes: 1000, allow, maxRedirects: 3 }));
    expect(loop.message).toMatch(/redirects more than 3 times/);
    expect((await failure(guardedFetch("file:///etc/passwd", { maxBytes: 1000, allow }))).message).toMatch(/only http and https/);
  });

  it("caps the size, declared or streamed, and the time", async () => {
    const allow = [`127.0.0.1:${port}`];
    for (const path of ["/big", "/big-chunked"]) {
      const error = await failure(guardedFetch(`http://127.0.0.1:${port}${path}`, { maxBytes: 4000, allow }));
      expect(error, path).toMatchObject({ code: "E_VALIDATION", message: expect.stringMatching(/larger than 4000 bytes/) });
    }
    const slow = await failure(guardedFetch(`http://127.0.0.1:${port}/hang`, { maxBytes: 4000, allow, timeoutMs: 300 }));
    expect(slow.code).toBe("E_TIMEOUT");
  });
});

describe("Slack upload from a URL", () => {
  let database: TestDatabase;
  let fake: FakeSlack;
  beforeAll(async () => {
    fake = await startSlackForTests();
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
    await fake.close();
  });

  it("refuses a URL on 127.0.0.1 with E_VALIDATION and the reason, before anything reaches Slack", async () => {
    const { owner } = await seedCompany(database.prisma, "Uploads");
    await database.prisma.credential.deleteMany({ where: { companyId: owner.companyId } });
    await connectSlack(database.prisma, { companyId: owner.companyId }, fake.issueBotToken());
    setTestEnv({ FLOWLINE_OUTBOUND_ALLOW: undefined });
    const { runId, stepId } = await createRun(database.prisma, owner);
    const input = { channel: "C0GENERAL", filename: "secret.txt", url: `http://127.0.0.1:${port}/file` };
    const error = await failure(
      executeIntegrationAction(database.prisma, {
        companyId: owner.companyId,
        userId: owner.userId,
        ...target("slack.upload_file"),
        input,
        runId,
        stepId,
        idempotencyKey: `${runId}:${stepId}`,
      }),
    );
    expect(error.code).toBe("E_VALIDATION");
    expect(error.message).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(fake.calls.filter((call) => call.method.startsWith("files."))).toEqual([]);
  });
});
