import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "@/cli/main";
import { createServerDatabase, testDbKind } from "../support/database";
import { seedEmbeddedDataDir } from "../support/embedded-snapshot";
import { entryPoint } from "../support/entry-points";

// The CLI on its own (the app is not running): it opens the database itself, the embedded one or
// a fresh database on the Postgres server. The path through a running app is in e2e/cli.spec.ts.
// The commands run in this process (runCli, what the program runs); what only the program shows
// (its exit status, stdout holding nothing else, another process holding the database) is
// checked on the program itself, spawned: each spawn costs a cold start of seconds.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "flowline-cli-"));
let databaseUrl = "";
let dropDatabase = async () => {};
beforeAll(async () => {
  if (testDbKind === "pglite") {
    // This run's migrated database copied into the CLI's data folder, so the first spawn opens
    // it instead of migrating a new one (the server case below applies every migration itself).
    await seedEmbeddedDataDir(dataDir);
    return;
  }
  const server = await createServerDatabase();
  databaseUrl = server.url;
  dropDatabase = server.drop;
});
afterAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await dropDatabase();
});

const cliEnv = (env: Record<string, string>) => ({ ...process.env, FLOWLINE_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, ...env });

async function flowline(args: string[], env: Record<string, string> = {}) {
  const output = { stdout: "", stderr: "" };
  const code = await runCli(args, {
    env: cliEnv(env),
    stdout: (text) => void (output.stdout += text),
    stderr: (text) => void (output.stderr += text),
  });
  return { code, ...output };
}

function flowlineProgram(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [...entryPoint("cli/flowline.ts"), ...args], {
    encoding: "utf8",
    env: cliEnv(env),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// Each command opens the database: seconds on a busy 2-core machine.
describe("flowline CLI", { timeout: 120_000 }, () => {
  // Each database kind has its own case; the suite runs once per kind (scripts/test.mjs).
  if (testDbKind === "postgres")
    it("applies the migrations to a new server database, once", async () => {
      expect((await flowline(["doctor"])).stdout).toMatch(/FAIL migrations\s+pending: \d+_init/);
      expect((await flowline(["migrate"])).stdout).toMatch(/Applied \d+ migration\(s\): \d+_init, /);
      expect((await flowline(["migrate"])).stdout).toContain("Database is up to date.");
    });

  it("sets up the owner and company once, idempotently", async () => {
    const first = await flowline(["setup", "--email", "root@cli.test", "--password", "operator password", "--company", "Solo"]);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toContain("Created owner and company for root@cli.test");
    const again = await flowline(["setup", "--email", "root@cli.test", "--password", "operator password", "--company", "Solo"]);
    expect(again.stdout).toContain('Already set up: root@cli.test owns "Solo"');
  });

  it("the program prints only the new API key on stdout and exits 0", () => {
    const result = flowlineProgram(["apikey", "create", "--company", "Solo", "--name", "deploy"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^fl_[A-Za-z0-9_-]{43}\n$/);
  });

  it("migrates (nothing pending after the first open) and passes doctor", async () => {
    expect((await flowline(["migrate"])).stdout).toContain("Database is up to date.");
    const doctor = await flowline(["doctor"]);
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/ok\s+migrations\s+current/);
  });

  it("imports a workflow from a file and exports it again", async () => {
    const file = path.join(dataDir, "workflow.json");
    const definition = {
      trigger: { type: "manual", config: {} },
      nodes: [{ id: "hello", type: "core.noop", name: "Hello", config: { value: "{{trigger.payload.name}}" }, position: { x: 0, y: 0 } }],
      edges: [{ id: "e1", source: "trigger", target: "hello" }],
    };
    fs.writeFileSync(file, JSON.stringify({ name: "Greeter", description: "Says hello", definition }));
    const imported = await flowline(["workflow", "import", file, "--company", "Solo"]);
    expect(imported.stderr).toBe("");
    const id = imported.stdout.match(/Imported "Greeter" as (\S+)\./)?.[1];
    expect(id).toBeTruthy();

    const exported = await flowline(["workflow", "export", id!]);
    expect(exported.code).toBe(0);
    const parsed = JSON.parse(exported.stdout) as { name: string; description: string; definition: typeof definition };
    expect(parsed).toMatchObject({ name: "Greeter", description: "Says hello" });
    expect(parsed.definition.nodes[0]).toMatchObject({ id: "hello", config: { value: "{{trigger.payload.name}}" } });

    // the export is itself importable: a round trip
    fs.writeFileSync(file, exported.stdout);
    expect((await flowline(["workflow", "import", file, "--company", "Solo", "--name", "Greeter copy"])).stdout).toContain('Imported "Greeter copy"');
  });

  it("runs a workflow and, with --wait, prints its step table", async () => {
    const file = path.join(dataDir, "runnable.json");
    const definition = {
      trigger: { type: "manual", config: {} },
      nodes: [
        { id: "greet", type: "core.noop", name: "Greet", config: { value: "hi {{trigger.payload.name}}" }, position: { x: 0, y: 0 } },
        {
          id: "check",
          type: "control.if",
          name: "Check",
          config: { condition: { op: "eq", left: "{{trigger.payload.name}}", right: "Ada" } },
          position: { x: 0, y: 0 },
        },
      ],
      edges: [
        { id: "e1", source: "trigger", target: "greet" },
        { id: "e2", source: "greet", target: "check" },
      ],
    };
    fs.writeFileSync(file, JSON.stringify({ name: "Runnable", definition }));
    const id = (await flowline(["workflow", "import", file, "--company", "Solo"])).stdout.match(/ as (\S+)\./)![1]!;
    const payload = path.join(dataDir, "payload.json");
    fs.writeFileSync(payload, JSON.stringify({ name: "Ada" }));
    const result = await flowline(["run", id, "--payload", payload, "--draft", "--wait"]);
    expect(result.stderr).toContain("succeeded");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^step\s+iteration\s+attempt\s+status\s+duration/m);
    expect(result.stdout).toMatch(/^greet\s+-\s+1\s+succeeded/m);
    expect(result.stdout).toMatch(/^check\s+-\s+1\s+succeeded/m);
    expect((await flowline(["run", id])).stderr).toContain("This workflow has no published version");
  });

  it("refuses an invalid workflow file with every problem and its path", async () => {
    const file = path.join(dataDir, "broken.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        trigger: { type: "manual", config: {} },
        nodes: [{ id: "x", type: "nope", name: "x", config: {}, position: { x: 0, y: 0 } }],
        edges: [{ id: "e", source: "x", target: "x" }],
      }),
    );
    const result = await flowline(["workflow", "import", file, "--company", "Solo"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("definition.nodes.0.type");
    expect((await flowline(["workflow", "import", path.join(dataDir, "missing.json"), "--company", "Solo"])).stderr).toContain("cannot read");
    expect((await flowline(["workflow", "export", "no-such-id"])).stderr).toContain("No workflow has the id no-such-id");
  });

  it("reports bad options on stderr, field by field, with exit code 2", async () => {
    const result = await flowline(["setup", "--email", "nope", "--password", "short", "--company", "S"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("--email: Enter a valid email address");
    expect(result.stderr).toContain("--password: Use at least 10 characters");
  });

  it("names a bad environment variable and stops: the program exits 2", () => {
    const result = flowlineProgram(["doctor"], { DATABASE_URL: "mysql://elsewhere" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("DATABASE_URL must be a postgres:// URL");
  });

  if (testDbKind === "pglite")
    it("fails fast when another live process holds the database and offers no operator endpoint", () => {
      fs.writeFileSync(path.join(dataDir, "pglite.lock"), String(process.pid));
      try {
        const result = flowlineProgram(["doctor"]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`database in use by pid ${process.pid}; stop it or set DATABASE_URL`);
      } finally {
        fs.rmSync(path.join(dataDir, "pglite.lock"));
      }
    });
});
