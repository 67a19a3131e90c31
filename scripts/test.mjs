// `npm test`: the whole suite, in the order that fails fastest. Each step's time is printed.
//   typecheck ‖ lint ‖ format check (cached per file) → unit + integration on embedded PGlite ‖ integration on the Postgres server
//   (when one answers at FLOWLINE_TEST_PG_URL) ‖ production build, at a lower priority → Playwright e2e in Chromium.
// Steps joined by ‖ run at the same time: they are independent, and on two cores one of them
// mostly waits (on a database, a timer, a child process) while the other computes. Their output
// is held back and printed whole when each ends, so it does not interleave.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const pgUrl = new URL(process.env.FLOWLINE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test");

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.setTimeout(1000);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

/**
 * The test files under tests/ that open the database the run is testing: those that import
 * tests/support/database.ts, themselves or through test modules they import. The rest (pure code,
 * PGlite-only tests, spawned programs) do the same on either run, so the Postgres run leaves them out.
 */
function filesOnTheTestDatabase() {
  const target = path.resolve("tests/support/database.ts");
  const specifier = /(?:from\s+|import\(\s*)["']((?:\.{1,2}|@\/tests)\/[^"']+)["']/g;
  const resolve = (from, spec) => {
    const base = spec.startsWith("@/") ? path.resolve(spec.slice(2)) : path.resolve(path.dirname(from), spec);
    return [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")].find((candidate) => fs.statSync(candidate, { throwIfNoEntry: false })?.isFile());
  };
  const reaches = new Map();
  const usesDatabase = (file) => {
    if (file === target) return true;
    if (!reaches.has(file)) {
      reaches.set(file, false); // an import cycle does not reach it through itself
      const imported = [...fs.readFileSync(file, "utf8").matchAll(specifier)].map((m) => resolve(file, m[1])).filter(Boolean);
      reaches.set(file, imported.some(usesDatabase));
    }
    return reaches.get(file);
  };
  const files = fs.readdirSync("tests", { recursive: true }).map((name) => path.resolve("tests", name));
  return files.filter((file) => file.endsWith(".test.ts") && usesDatabase(file)).map((file) => path.relative(process.cwd(), file));
}

const children = new Set();
function fail(name, seconds, code) {
  console.error(`\n✗ ${name} failed after ${seconds}s`);
  for (const child of children) child.kill("SIGTERM");
  process.exit(code ?? 1);
}

/** Runs one step; `held`: collect its output and print it when it ends; `background`: at a lower CPU priority. */
function step({ name, command, args, env = {}, background = false }, held) {
  const started = Date.now();
  console.log(`\n━━ ${name}: ${command} ${args.join(" ")}${held ? " (output when it ends)" : ""}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: held ? ["ignore", "pipe", "pipe"] : "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env } });
    children.add(child);
    if (background) os.setPriority(child.pid, 10);
    const output = [];
    child.stdout?.on("data", (chunk) => output.push(chunk));
    child.stderr?.on("data", (chunk) => output.push(chunk));
    child.on("close", (code) => {
      children.delete(child);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (held) console.log(`\n━━ output of ${name}\n${Buffer.concat(output).toString()}`);
      if (code !== 0) fail(name, seconds, code);
      console.log(`✓ ${name} (${seconds}s)`);
      resolve();
    });
  });
}

/**
 * CPU-seconds used so far by the steps that have ended, with everything they started (Linux: the
 * children's times in /proc/self/stat, in USER_HZ ticks, 100 a second); null elsewhere. The suite
 * is CPU-bound, so each phase prints its CPU next to its time.
 */
function stepsCpuSeconds() {
  try {
    const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

async function together(steps) {
  const [started, cpu] = [Date.now(), stepsCpuSeconds()];
  await Promise.all(steps.map((s) => step(s, steps.length > 1)));
  const used = cpu === null ? "" : `, ${(stepsCpuSeconds() - cpu).toFixed(0)} CPU-s`;
  const load = os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
  console.log(`━━ phase: ${((Date.now() - started) / 1000).toFixed(1)}s${used}, load average ${load}`);
}

const bin = (name) => `node_modules/.bin/${name}`;
// The three checks remember what they found per file (by its content, and for tsc by what it
// depends on) under node_modules/.cache, so a run after a small change checks little more than
// the change: 63 → 13 CPU-s here. None of our lint rules reads types, so a file's lint result
// depends on its own content alone.
const cache = "node_modules/.cache/flowline";
const started = Date.now();
await together([
  { name: "typecheck", command: bin("tsc"), args: ["--noEmit", "--incremental", "--tsBuildInfoFile", `${cache}/tsc.tsbuildinfo`] },
  { name: "lint", command: bin("eslint"), args: [".", "--max-warnings=0", "--cache", "--cache-location", `${cache}/eslint`] },
  { name: "format", command: bin("prettier"), args: ["--check", ".", "--log-level=warn", "--cache", "--cache-location", `${cache}/prettier`] },
]);
const integration = [{ name: "unit + integration (embedded PGlite)", command: bin("vitest"), args: ["run"] }];
if (await reachable(pgUrl.hostname, pgUrl.port || 5432)) {
  integration.push({
    name: "integration (Postgres server)",
    command: bin("vitest"),
    args: ["run", ...filesOnTheTestDatabase()],
    env: { FLOWLINE_TEST_DB: "postgres" },
  });
} else {
  console.log(`\n━━ integration (Postgres server): no server at ${pgUrl.host}, not run (set FLOWLINE_TEST_PG_URL to run it)`);
}
// The vitest runs leave a core idle now and then (tests waiting on timers, child processes, the
// database); the build, which only e2e needs, fills those gaps at a lower priority instead of
// running after them. Niced, so it never slows the tests' own timing.
integration.push({ name: "production build", command: bin("next"), args: ["build"], background: true });
await together(integration);
await together([{ name: "e2e (Playwright, Chromium)", command: bin("playwright"), args: ["test"] }]);
console.log(`\n✓ all steps (${((Date.now() - started) / 1000).toFixed(1)}s)`);
