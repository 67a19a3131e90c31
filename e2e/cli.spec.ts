import { spawnSync } from "node:child_process";
import { expect, test } from "@playwright/test";

// The app holds the embedded database, so the CLI must go through the app's operator endpoint.
function flowline(...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "cli/flowline.ts", ...args], {
    encoding: "utf8",
    env: { ...process.env, FLOWLINE_DATA_DIR: process.env.FLOWLINE_E2E_DATA_DIR },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("the CLI sets up a company and an API key through the running app, and the key works", async ({ request }) => {
  const setup = flowline("setup", "--email", "ops@cli.test", "--password", "operator password", "--company", "CLI Company");
  expect(setup.stderr).toBe("");
  expect(setup.stdout).toContain("Created owner and company");
  expect(setup.code).toBe(0);

  const again = flowline("setup", "--email", "ops@cli.test", "--password", "operator password", "--company", "CLI Company");
  expect(again.stdout).toContain("Already set up");

  const key = flowline("apikey", "create", "--company", "CLI Company", "--name", "e2e");
  expect(key.code).toBe(0);
  expect(key.stdout).toMatch(/^fl_[A-Za-z0-9_-]{43}\n$/);

  const me = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${key.stdout.trim()}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).company.name).toBe("CLI Company");

  const doctor = flowline("doctor");
  expect(doctor.stdout).toMatch(/ok\s+database\s+embedded/);
  expect(doctor.code).toBe(0);
});

test("CLI errors go to stderr with a non-zero exit", async () => {
  const missing = flowline("apikey", "create", "--company", "No Such Company", "--name", "x");
  expect(missing.code).not.toBe(0);
  expect(missing.stdout).toBe("");
  expect(missing.stderr).toContain('No company is named "No Such Company"');

  const unknown = flowline("frobnicate");
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('unknown command "frobnicate"');
});

test("API errors are JSON with a code and a 4xx status, never a 500", async ({ request }) => {
  const noKey = await request.get("/api/v1/me");
  expect(noKey.status()).toBe(401);
  expect((await noKey.json()).error).toMatchObject({ code: "unauthenticated" });
  const badBody = await request.post("/api/operator", { data: "{not json", headers: { "content-type": "application/json" } });
  expect(badBody.status()).toBe(401);
});
