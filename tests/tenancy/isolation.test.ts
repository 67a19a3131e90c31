import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAsCaller } from "@/lib/auth/session";
import type { Caller } from "@/lib/auth/roles";
import { setDatabase, closeDatabase } from "@/lib/db";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { seedCompany, snapshotCompany } from "../support/seed";

// Walks every server action and every route handler the app has (found on disk, so new ones are
// covered without editing this test) as company B, aiming at company A's ids. Nothing may change
// in A, and nothing of A may come back.

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}
const appFiles = filesUnder(path.join(process.cwd(), "app"));
const actionFiles = appFiles.filter((file) => /^\s*["']use server["']/.test(fs.readFileSync(file, "utf8")));
const routeFiles = appFiles.filter((file) => path.basename(file) === "route.ts");

// Routes that are public by design, with why.
const PUBLIC_ROUTES: Record<string, string> = {
  "/api/health": "health check for load balancers; shows no company data",
  "/api/auth/[...nextauth]": "next-auth's own sign-in endpoints",
  "/api/v1/openapi.json": "the API's description, generated from the schemas; no data",
  "/icons/[file]": "provider marks (the icon.svg of each provider's folder); no data",
  "/api/hooks/[id]": "a workflow's webhook, authorized by its signing secret (tested in tests/triggers/webhook.test.ts)",
  "/api/inbound/resend": "Resend's inbound webhook, authorized by its Svix signature (tested in tests/triggers/email-inbound.test.ts)",
  "/api/approvals/[id]": "authorized by the signed single-use token in the approval link (tested in tests/workflow/runs-api.test.ts)",
  "/sign/[token]/document": "authorized by the signer's signed link (tested in tests/documents/signing.test.ts; aimed at below with this company's ids)",
};
const ALLOWED_FAILURES = new Set(["not_found", "forbidden", "unauthenticated", "validation_failed", "bad_request", "conflict"]);

let database: TestDatabase;
let a: Awaited<ReturnType<typeof seedCompany>>;
let b: Awaited<ReturnType<typeof seedCompany>>;
let secrets: string[];

beforeAll(async () => {
  database = await openTestDatabase();
  setDatabase(database);
  a = await seedCompany(database.prisma, "Alpha");
  b = await seedCompany(database.prisma, "Beta");
  // A finished run with an effect its undo would act on, so undoing it from another company would show.
  const finished = await database.prisma.workflowRun.create({
    data: {
      companyId: a.ids.companyId,
      workflowId: a.ids.workflowId,
      versionId: a.ids.versionId,
      triggerType: "manual",
      triggerPayload: {},
      status: "succeeded",
    },
  });
  const effect = await database.prisma.runEffect.create({
    data: {
      runId: finished.id,
      nodeId: "post",
      appId: "slack",
      action: "slack.send_message",
      idempotencyKey: `isolation-${finished.id}`,
      status: "completed",
      externalRef: "C0GENERAL:1.000001",
      undoStrategy: "api_delete",
      canUndo: true,
      credentialId: a.ids.credentialId,
    },
  });
  Object.assign(a.ids, { finishedRunId: finished.id, effectId: effect.id });
  const company = await database.prisma.company.findUniqueOrThrow({ where: { id: a.ids.companyId } });
  secrets = [...Object.values(a.ids), company.name, a.key];
}, 120_000);

afterAll(async () => {
  await closeDatabase();
});

function inputsAimingAt(id: string): unknown[] {
  return [id, { id }, { id, name: "Hijacked" }, { membershipId: id, role: "owner" }, { companyId: id }, { workflowId: id }, { runId: id }, { token: id }];
}

const leaks = (body: string) => secrets.filter((secret) => body.includes(secret));

// Thousands of calls (every action × caller × aimed id): slow on a busy 2-core machine.
describe("tenant isolation", { timeout: 180_000 }, () => {
  it("discovers the app's server actions and route handlers", () => {
    expect(actionFiles.length).toBeGreaterThanOrEqual(3);
    expect(routeFiles.length).toBeGreaterThanOrEqual(3);
  });

  it("every server action, called by another company with this company's ids, is refused and changes nothing", async () => {
    const before = await snapshotCompany(database.prisma, a.ids.companyId);
    const callers: Caller[] = [b.owner, { ...b.owner, role: "member" }];
    let calls = 0;
    for (const file of actionFiles) {
      const exported = (await import(file)) as Record<string, unknown>;
      for (const [name, action] of Object.entries(exported)) {
        if (typeof action !== "function") continue;
        for (const caller of callers) {
          for (const input of [{}, ...Object.values(a.ids).flatMap(inputsAimingAt)]) {
            const result = (await runAsCaller(caller, () => (action as (i: unknown) => Promise<unknown>)(input))) as
              { ok: true; data: unknown } | { ok: false; error: { code: string } };
            calls++;
            const where = `${path.relative(process.cwd(), file)} ${name}(${JSON.stringify(input)}) as ${caller.role}`;
            if (result.ok) expect(leaks(JSON.stringify(result.data) ?? ""), where).toEqual([]);
            else expect(ALLOWED_FAILURES.has(result.error.code), `${where} failed with ${result.error.code}`).toBe(true);
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(100);
    expect(await snapshotCompany(database.prisma, a.ids.companyId)).toBe(before);
  });

  it("every route handler, called with another company's API key or none, answers 4xx for this company's ids", async () => {
    const before = await snapshotCompany(database.prisma, a.ids.companyId);
    let calls = 0;
    for (const file of routeFiles) {
      const routePath =
        "/" +
        path
          .relative(path.join(process.cwd(), "app"), path.dirname(file))
          .split(path.sep)
          .filter((s) => !/^\(.*\)$/.test(s))
          .join("/");
      if (PUBLIC_ROUTES[routePath]) continue;
      const exported = (await import(file)) as Record<string, unknown>;
      const paramNames = [...routePath.matchAll(/\[(?:\.\.\.)?([^\]]+)\]/g)].map((m) => m[1]!);
      const targets = paramNames.length ? Object.values(a.ids) : [""];
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        const handler = exported[method];
        if (typeof handler !== "function") continue;
        for (const target of targets) {
          const params = Object.fromEntries(paramNames.map((p) => [p, target]));
          const url = `http://app.test${routePath.replace(/\[(?:\.\.\.)?[^\]]+\]/g, target)}`;
          for (const authorization of [`Bearer ${b.key}`, null]) {
            const body = method === "GET" || method === "DELETE" ? undefined : JSON.stringify({ id: target, name: "Hijacked", companyId: a.ids.companyId });
            const request = new Request(url, { method, headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) }, body });
            const response = (await (handler as (r: Request, c: unknown) => Promise<Response>)(request, { params: Promise.resolve(params) })) as Response;
            const text = await response.text();
            calls++;
            const where = `${method} ${url} ${authorization ? "as Beta" : "anonymous"} → ${response.status}`;
            expect(response.status, where).toBeLessThan(500);
            if (response.ok) expect(leaks(text), where).toEqual([]);
            if (!authorization) expect(response.status, where).toBe(401);
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(2);
    expect(await snapshotCompany(database.prisma, a.ids.companyId)).toBe(before);
  });

  // The walk above sends bodies that fail validation before any lookup; this one is a valid test
  // of a step whose {{…}} would read the aimed workflow's latest run.
  it("testing a step of another company's workflow is not found and reads none of its run data", async () => {
    const { POST } = await import("@/app/api/v1/workflows/[id]/test-step/route");
    const node = { id: "peek", type: "core.noop", name: "Peek", config: { value: "{{trigger.payload}} {{run.id}}" }, position: { x: 0, y: 0 } };
    const request = new Request(`http://app.test/api/v1/workflows/${a.ids.workflowId}/test-step`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${b.key}` },
      body: JSON.stringify({ node, mode: "live" }),
    });
    const response = await POST(request, { params: Promise.resolve({ id: a.ids.workflowId }) });
    expect(response.status).toBe(404);
    expect(leaks(await response.text())).toEqual([]);
  });

  it("the Doc Manager's downloads and signing links answer nothing of this company to another, or to a guessed link", async () => {
    type Get = { GET: (r: Request, c: unknown) => Promise<Response> };
    const { GET: download } = (await import("@/app/api/v1/documents/[id]/file/route")) as unknown as Get;
    const { GET: signerDocument } = (await import("@/app/sign/[token]/document/route")) as unknown as Get;
    // Every id of the company (the document's, its stored file's, the signer's), as the path and as a version.
    for (const id of Object.values(a.ids)) {
      for (const version of ["original", "signed"]) {
        const response = await download(
          new Request(`http://app.test/api/v1/documents/${id}/file?version=${version}`, { headers: { authorization: `Bearer ${b.key}` } }),
          {
            params: Promise.resolve({ id }),
          },
        );
        expect(response.status, `download ${id} (${version}) as Beta`).toBe(404);
      }
      for (const token of [id, `${id}.1.${"A".repeat(43)}`, `${a.ids.signerId}.1.${"A".repeat(43)}`]) {
        const response = await signerDocument(new Request(`http://app.test/sign/${token}/document`), { params: Promise.resolve({ token }) });
        expect(response.status, `signing document with ${token}`).toBe(404);
        expect(leaks(await response.text())).toEqual([]);
      }
    }
    // and the owner's own key does get its file (the route works; it is the company that differs)
    const own = await download(new Request(`http://app.test/api/v1/documents/${a.ids.documentId}/file`, { headers: { authorization: `Bearer ${a.key}` } }), {
      params: Promise.resolve({ id: a.ids.documentId }),
    });
    expect(own.status).toBe(200);
  });
});
