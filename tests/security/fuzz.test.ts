import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAsCaller } from "@/lib/auth/session";
import type { Caller } from "@/lib/auth/roles";
import { closeDatabase, setDatabase } from "@/lib/db";
import { inputLimits } from "@/lib/http/input";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { appFiles, callRoute, routeFiles } from "../support/routes";
import { seedCompany } from "../support/seed";
import fs from "node:fs";

// Hostile input against every route handler and every server action the app has (found on disk,
// so new ones are fuzzed without editing this file), as a caller who may do everything: the
// classes outside testers found answering 500, mixed into realistic bodies at seeded-random
// places. Nothing may answer 5xx (or an action's "internal"); the classes' own cases must be a 4xx
// that names the field.

let database: TestDatabase;
let key: string;
let owner: Caller;
let ids: Record<string, string>;
let workflowId: string;
let revision: string;

const simple = definition([node("a", "core.noop", { value: "{{trigger.payload.x}}" })], ["trigger→a"]);
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const json = async (response: Response) => (await response.json()) as { error?: { code: string; message: string; issues?: { path: (string | number)[] }[] } };

beforeAll(async () => {
  database = await openTestDatabase();
  setDatabase(database);
  const seeded = await seedCompany(database.prisma, "Fuzz");
  ({ key, owner } = seeded);
  ids = seeded.ids;
  const created = (await (await callRoute("POST", "/api/v1/workflows", { key, body: { name: "Target", definition: simple } })).json()) as {
    id: string;
    revision: string;
  };
  workflowId = created.id;
  revision = created.revision;
  await callRoute("POST", `/api/v1/workflows/${workflowId}/publish`, { key, body: {} });
}, 60_000);
afterAll(async () => {
  await closeDatabase();
});

// Seeded, so a failure repeats exactly.
let seed = 20261201;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;

const HOSTILE_TEXT = ["nul\u0000inside", "\u0000", "lone high \ud800", "\udc00 lone low", "pair then lone \ud83d\ude00\ud83d", "not-a-date"] as const;
const deeplyNested = (levels: number): Json => {
  let value: Json = "bottom";
  for (let i = 0; i < levels; i++) value = { next: value };
  return value;
};
// JSON.stringify cannot go 5,000 levels deep; bodies carry this marker and the text is spliced in.
const DEEP = "__deep_payload__";
const deepText = `${'{"next":'.repeat(5000)}"bottom"${"}".repeat(5000)}`;
const describeInput = (value: unknown) => {
  try {
    return JSON.stringify(value).slice(0, 300);
  } catch {
    return "(a value too deep to print)";
  }
};

/** Bodies as the API and the UI really send them; the fuzzer plants hostile values inside. */
const goodBodies = (): Record<string, Json>[] => [
  { name: "Fuzzed", description: "about", definition: simple as unknown as Json },
  { name: "Fuzzed", definition: simple as unknown as Json, baseRevision: revision },
  { definition: simple as unknown as Json, mode: "strict" },
  { payload: { customer: { name: "Ada", tags: ["a", "b"] } }, idempotencyKey: "order-1", version: "published" },
  { approved: true, comment: "fine", token: "t".repeat(32) },
  { version: 1 },
  { role: "member", email: "someone@fuzz.test", name: "Someone" },
];

/** Every place a value can sit in a JSON tree (objects and arrays), including the root. */
function containers(value: Json, at: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== "object" || value === null) return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value as Record<string, Json>);
  return [at, ...entries.flatMap(([k, v]) => containers(v as Json, [...at, k]))];
}

/** A copy of `body` with one hostile value (or key, or a 5,000-level payload) planted at a random place. */
function mutate(body: Record<string, Json>): Json {
  const copy = structuredClone(body) as Record<string, Json>;
  const where = pick(containers(copy));
  const target = where.reduce<Json>((node, k) => (node as Record<string, Json>)[k] as Json, copy) as Record<string, Json>;
  const keys = Object.keys(target);
  const hostile: Json = random() < 0.1 ? DEEP : pick(HOSTILE_TEXT);
  const choice = random();
  if (choice < 0.2 && !Array.isArray(target as unknown))
    target[pick(HOSTILE_TEXT)] = "value"; // a hostile key
  else if (keys.length > 0 && choice < 0.9) target[pick(keys)] = hostile;
  else target["payload"] = hostile;
  return copy;
}

// next-auth's own handler needs Next's request object (nextUrl); the e2e sign-in specs drive it.
const UNFUZZED = new Set(["/api/auth/[...nextauth]"]);
const routePaths = () =>
  routeFiles()
    .filter((route) => !UNFUZZED.has(route.pattern))
    .map((route) => ({ ...route, params: [...route.pattern.matchAll(/\[(?:\.\.\.)?([^\]]+)\]/g)].map((m) => m[1]!) }));

/** Fills a route pattern with ids of the seeded company (so the request reaches the database), or a hostile value. */
function urlFor(pattern: string, hostileParam: string | null): string {
  return pattern.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, (_m, name: string) => {
    if (hostileParam !== null) return encodeURIComponent(hostileParam);
    if (name === "number") return "1";
    if (name === "provider") return "slack";
    if (name === "nextauth") return "session";
    return /runs/.test(pattern) ? ids.runId! : /waitpoints|approvals/.test(pattern) ? ids.waitpointId! : workflowId;
  });
}

// JSON.stringify turns a lone surrogate into a "\ud800" escape and NUL into "\u0000", exactly what a client sends.
const send = (method: string, url: string, body?: Json, answered?: (request: Request) => void) =>
  callRoute(method, url, { key, answered, ...(body === undefined ? {} : { rawBody: JSON.stringify(body).replaceAll(`"${DEEP}"`, deepText) }) });
/** Action arguments are objects, not text: the marker becomes a real 5,000-level value. */
const realize = (value: Json): unknown => JSON.parse(JSON.stringify(value).replaceAll(`"${DEEP}"`, deepText));

const UNREAD_BODIES_ENOUGH = 25;

describe("fuzzing routes and server actions with hostile input", { timeout: 600_000 }, () => {
  it("answers every class the testers found with a 4xx that names the field", async () => {
    const expectField = async (response: Response, status: number, field: (string | number)[]) => {
      expect(response.status).toBe(status);
      const { error } = await json(response);
      expect(error?.issues?.map((issue) => issue.path.slice(0, field.length))).toContainEqual(field);
    };
    // NUL and lone surrogates, in values and in keys, on create, update, validate, publish and run start
    await expectField(await send("POST", "/api/v1/workflows", { name: "nul\u0000" }), 422, ["body", "name"]);
    await expectField(
      await send("POST", "/api/v1/workflows", { name: "ok", definition: { ...simple, nodes: [node("a", "core.noop", { value: "\ud800" })] } as Json }),
      422,
      ["body", "definition", "nodes", 0, "config", "value"],
    );
    await expectField(await send("PATCH", `/api/v1/workflows/${workflowId}`, { description: "x\u0000" }), 422, ["body", "description"]);
    await expectField(
      await send("POST", `/api/v1/workflows/${workflowId}/validate`, { definition: { ...simple, nodes: [node("a", "core.noop", { "k\u0000": 1 })] } as Json }),
      422,
      ["body", "definition", "nodes", 0, "config"],
    );
    await expectField(
      await send("POST", `/api/v1/workflows/${workflowId}/publish`, {
        definition: { ...simple, nodes: [node("a", "core.noop", { value: "\udfff" })] } as Json,
      }),
      422,
      ["body", "definition"],
    );
    await expectField(await send("POST", `/api/v1/workflows/${workflowId}/runs`, { payload: { "key\ud800": "v" } }), 422, ["body", "payload"]);
    await expectField(await send("POST", `/api/v1/workflows/${workflowId}/runs`, { idempotencyKey: "k\u0000" }), 422, ["body", "idempotencyKey"]);
    // a run payload nested 5,000 deep
    await expectField(await send("POST", `/api/v1/workflows/${workflowId}/runs`, { payload: DEEP }), 422, ["body", "payload"]);
    // a base revision that is not a date
    await expectField(await send("PATCH", `/api/v1/workflows/${workflowId}`, { name: "x", baseRevision: "not-a-date" }), 422, ["body", "baseRevision"]);
    // hostile path and query parameters
    await expectField(await send("GET", `/api/v1/workflows/${encodeURIComponent("id\u0000")}`), 422, ["path", "id"]);
    await expectField(await send("GET", `/api/v1/runs?cursor=${encodeURIComponent("\u0000")}`), 422, ["query", "cursor"]);
    // over the size limit: 413 with the limit in the message
    const huge = await send("POST", "/api/v1/workflows", { name: "big", description: "x".repeat(inputLimits.maxBodyBytes) });
    expect(huge.status).toBe(413);
    expect((await json(huge)).error?.message).toMatch(/larger than the 1 MB limit/);

    // server actions: the same gate, so the same answers
    const { createWorkflowAction, updateWorkflowAction } = await import("@/app/(app)/workflows/actions");
    const { startRunAction } = await import("@/app/(app)/runs/actions");
    const asOwner = <T>(fn: () => Promise<T>) => runAsCaller(owner, fn);
    const named = await asOwner(() => createWorkflowAction({ name: "a\u0000" }));
    expect(named).toMatchObject({ ok: false, error: { code: "validation_failed", issues: [{ path: ["name"] }] } });
    const dated = await asOwner(() => updateWorkflowAction({ id: workflowId, changes: { baseRevision: "not-a-date" } }));
    expect(dated).toMatchObject({ ok: false, error: { code: "validation_failed", issues: [{ path: ["baseRevision"] }] } });
    const deep = await asOwner(() => startRunAction({ workflowId, options: { payload: deeplyNested(5000) } }));
    expect(deep).toMatchObject({ ok: false, error: { code: "validation_failed" } });
    expect((deep as { error: { issues: { path: unknown[] }[] } }).error.issues[0]!.path.slice(0, 2)).toEqual(["options", "payload"]);
  });

  it("finds no 5xx in thousands of hostile requests to every route handler", async () => {
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let calls = 0;
    for (const route of routePaths()) {
      const exported = (await import(route.file)) as Record<string, unknown>;
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        if (typeof exported[method] !== "function") continue;
        const attempts: { url: string; body?: Json }[] = [];
        // A lone surrogate cannot be written in a URL at all (percent-encoding is UTF-8).
        for (const hostile of HOSTILE_TEXT.filter((text) => text.isWellFormed())) {
          if (route.params.length) attempts.push({ url: urlFor(route.pattern, hostile) });
          attempts.push({
            url: `${urlFor(route.pattern, null)}?cursor=${encodeURIComponent(hostile)}&workflowId=${encodeURIComponent(hostile)}&from=${encodeURIComponent(hostile)}`,
          });
        }
        if (method !== "GET" && method !== "DELETE") {
          for (let i = 0; i < 250; i++) attempts.push({ url: urlFor(route.pattern, null), body: mutate(pick(goodBodies())) });
        }
        // A handler that has left this many mutated bodies unread does not read its body (replay,
        // enable, undo…): its other mutations would be the same request again, each one doing the
        // route's whole work (a run replayed, a workflow enabled) for nothing the test can see.
        // One that reads it, or starts to, gets every mutation.
        let [bodyRead, bodiesUnread] = [false, 0];
        for (const attempt of attempts) {
          if (attempt.body !== undefined && !bodyRead && bodiesUnread >= UNREAD_BODIES_ENOUGH) continue;
          const response = await send(method, attempt.url, attempt.body, (request) => {
            if (attempt.body === undefined) return;
            bodyRead ||= request.bodyUsed;
            bodiesUnread += request.bodyUsed ? 0 : 1;
          });
          calls++;
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status >= 500)
            failures.push(`${method} ${attempt.url} ${describeInput(attempt.body)} → ${response.status} ${(await response.text()).slice(0, 300)}`);
        }
      }
    }
    console.log(`route fuzz: ${calls} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(calls).toBeGreaterThan(1000);
    expect(failures).toEqual([]);
  });

  it("finds no internal error in hostile calls of every server action", async () => {
    const actionFiles = appFiles().filter((file) => /^\s*["']use server["']/.test(fs.readFileSync(file, "utf8")));
    const failures: string[] = [];
    let calls = 0;
    for (const file of actionFiles) {
      const exported = (await import(file)) as Record<string, unknown>;
      for (const [name, action] of Object.entries(exported)) {
        if (typeof action !== "function") continue;
        // Not the credential: disconnecting it would call out to the real provider to revoke the token.
        const targets = [workflowId, ids.runId!, ids.waitpointId!, ids.membershipId!];
        for (let i = 0; i < 40; i++) {
          const id = pick(targets);
          const base = { id, workflowId: id, membershipId: id, ...pick(goodBodies()) };
          const input = realize(pick([mutate(base), { id, changes: mutate(pick(goodBodies())) }, { workflowId: id, options: mutate(pick(goodBodies())) }]));
          const result = (await runAsCaller(owner, () => (action as (i: unknown) => Promise<unknown>)(input))) as {
            ok: boolean;
            error?: { code: string; message: string };
          };
          calls++;
          if (!result.ok && result.error?.code === "internal")
            failures.push(`${path.relative(process.cwd(), file)} ${name}(${describeInput(input)}) → ${result.error.message}`);
        }
      }
    }
    console.log(`action fuzz: ${calls} calls`);
    expect(calls).toBeGreaterThan(500);
    expect(failures).toEqual([]);
  });
});
