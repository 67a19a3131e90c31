import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, setDatabase } from "@/lib/db";
import { definition, largeDefinition, node } from "@/lib/workflow/test-fixtures";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, routeFiles } from "../support/routes";
import { seedCompany } from "../support/seed";

let database: TestDatabase;
let key: string;
beforeAll(async () => {
  database = await openTestDatabase();
  setDatabase(database);
  ({ key } = await seedCompany(database.prisma, "Api"));
}, 60_000);
afterAll(async () => {
  await closeDatabase();
});

const json = async (response: Response) =>
  (await response.json()) as Record<string, unknown> & { error?: { code: string; issues?: { path: unknown[]; code?: string }[] } };
const simple = definition([node("a", "core.noop", { value: "{{trigger.payload.x}}" })], ["trigger→a"]);

describe("/api/v1/workflows", () => {
  it("creates, reads, updates, validates, publishes, lists versions, reverts, enables and deletes", async () => {
    const created = await callRoute("POST", "/api/v1/workflows", { key, body: { name: "Via API", definition: simple } });
    expect(created.status).toBe(201);
    const { id, revision } = (await json(created)) as { id: string; revision: string };

    expect((await callRoute("GET", `/api/v1/workflows/${id}`, { key })).status).toBe(200);
    const patched = await callRoute("PATCH", `/api/v1/workflows/${id}`, { key, body: { name: "Renamed", baseRevision: revision } });
    expect(await json(patched)).toMatchObject({ name: "Renamed" });

    const validation = await json(
      await callRoute("POST", `/api/v1/workflows/${id}/validate`, { key, body: { definition: definition([node("x", "control.if", {})], ["trigger→x"]) } }),
    );
    expect(validation).toMatchObject({ valid: false, problems: [expect.objectContaining({ code: "config_missing_field", severity: "error" })] });

    expect(await json(await callRoute("POST", `/api/v1/workflows/${id}/publish`, { key, body: {} }))).toMatchObject({ version: 1, created: true });
    expect(await json(await callRoute("GET", `/api/v1/workflows/${id}/versions`, { key }))).toMatchObject({ versions: [{ number: 1, published: true }] });
    expect(await json(await callRoute("GET", `/api/v1/workflows/${id}/versions/1`, { key }))).toMatchObject({
      number: 1,
      definition: { nodes: [{ id: "a" }] },
    });
    expect((await callRoute("GET", `/api/v1/workflows/${id}/versions/7`, { key })).status).toBe(404);
    expect((await callRoute("POST", `/api/v1/workflows/${id}/revert`, { key, body: { version: 1 } })).status).toBe(200);
    expect(await json(await callRoute("POST", `/api/v1/workflows/${id}/enable`, { key }))).toMatchObject({ enabled: true });
    expect(await json(await callRoute("POST", `/api/v1/workflows/${id}/disable`, { key }))).toMatchObject({ enabled: false });
    expect((await json(await callRoute("GET", "/api/v1/workflows?limit=10", { key }))).workflows).toEqual(
      expect.arrayContaining([expect.objectContaining({ id })]),
    );
    expect(await json(await callRoute("DELETE", `/api/v1/workflows/${id}`, { key }))).toEqual({ deleted: true });
    expect((await callRoute("GET", `/api/v1/workflows/${id}`, { key })).status).toBe(404);
  });

  it("answers an invalid definition with 422, every problem and its path", async () => {
    const bad = definition(
      [node("a"), node("b"), node("c", "control.if", { condition: { op: "bogus", left: 1 } }), node("d", "no.such.type")],
      ["trigger→a", "a→b", "b→a", "a→c", "a:nowhere→d"],
    );
    const response = await callRoute("POST", "/api/v1/workflows", { key, body: { name: "Bad", definition: bad } });
    expect(response.status).toBe(422);
    const { error } = await json(response);
    expect(error!.code).toBe("validation_failed");
    expect(error!.issues!.map((i) => i.code)).toEqual(expect.arrayContaining(["cycle", "config_invalid", "unknown_node_type"]));
    for (const issue of error!.issues!) expect(issue.path[0]).toBe("definition");
  });

  it("answers malformed requests with a 4xx JSON error, never a 5xx", async () => {
    const cases: [string, string, { rawBody?: string; body?: unknown }][] = [
      ["POST", "/api/v1/workflows", { rawBody: "{not json" }],
      ["POST", "/api/v1/workflows", { rawBody: "[]" }],
      ["POST", "/api/v1/workflows", { body: { name: 42 } }],
      ["GET", "/api/v1/workflows?limit=abc", {}],
      ["GET", "/api/v1/workflows?limit=100000", {}],
      ["PATCH", "/api/v1/workflows/nope", { body: { name: "x" } }],
      ["POST", "/api/v1/workflows/nope/revert", { body: { version: "one" } }],
      ["GET", "/api/v1/workflows/nope/versions/-1", {}],
    ];
    for (const [method, url, options] of cases) {
      const response = await callRoute(method, url, { key, ...options });
      expect(response.status, `${method} ${url}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${method} ${url}`).toBeLessThan(500);
      expect((await json(response)).error, `${method} ${url}`).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
  });

  it("survives random and hostile definitions with a 4xx or a 2xx, never an exception", async () => {
    let seed = 20261122;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
    const junk = (depth: number): unknown =>
      depth > 3
        ? pick([null, 1, "x", true])
        : pick<() => unknown>([
            () => null,
            () => -1e308,
            () => "{{step.__proto__.output}}",
            () => "a".repeat(Math.floor(random() * 5000)),
            () => [junk(depth + 1), junk(depth + 1)],
            () => ({ __proto__: { polluted: true }, constructor: { prototype: 1 }, [pick(["nodes", "edges", "trigger", "id", "type"])]: junk(depth + 1) }),
          ])();
    // 10,000 levels of nesting, sent as text the way a client would (JSON.stringify cannot go that deep)
    const deep = `{"name":"Deep","definition":${'{"nodes":['.repeat(10_000)}{}${"]}".repeat(10_000)}}`;
    const deepResponse = await callRoute("POST", "/api/v1/workflows", { key, rawBody: deep });
    expect(deepResponse.status).toBe(422);
    const hostile: unknown[] = [
      largeDefinition(10_000),
      { ...simple, nodes: Array.from({ length: 10_000 }, (_, i) => node(`n${i}`)) },
      { ...simple, nodes: [{ ...node("a"), config: JSON.parse('{"__proto__": {"polluted": true}}') as unknown }] },
      { trigger: "manual", nodes: "none", edges: {} },
      "definition",
      ...Array.from({ length: 150 }, () => ({ ...simple, ...(junk(0) as object) })),
      ...Array.from({ length: 50 }, () => junk(0)),
    ];
    for (const candidate of hostile) {
      const response = await callRoute("POST", "/api/v1/workflows", { key, body: { name: "Fuzz", definition: candidate } });
      expect(response.status).not.toBeGreaterThanOrEqual(500);
      expect([201, 413, 422, 400]).toContain(response.status);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);

  it("is described, operation by operation, by the OpenAPI document generated from the same schemas", async () => {
    const response = await callRoute("GET", "/api/v1/openapi.json");
    const document = (await json(response)) as unknown as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
    };
    expect(document.openapi).toBe("3.1.0");
    // every v1 route handler method is documented (discovered from disk, like the routes themselves)
    for (const route of routeFiles().filter((r) => r.pattern.startsWith("/api/v1/") && r.pattern !== "/api/v1/openapi.json")) {
      const documentedPath = route.pattern.replace("/api/v1", "").replace(/\[([^\]]+)\]/g, "{$1}");
      const exported = (await import(route.file)) as Record<string, unknown>;
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => typeof exported[m] === "function")) {
        expect(document.paths[documentedPath]?.[method.toLowerCase()], `${method} ${documentedPath}`).toBeDefined();
      }
    }
    const publish = document.paths["/workflows/{id}/publish"]!.post!;
    expect(publish.operationId).toBe("publishWorkflow");
    expect(Object.keys(publish.responses)).toEqual(expect.arrayContaining(["200", "401", "422"]));
  });
});
