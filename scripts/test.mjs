// `npm test`: the whole suite, in the order that fails fastest. Each step's time is printed.
//   typecheck → lint → unit + integration on embedded PGlite → integration on the Postgres server
//   (when one answers at FLOWLINE_TEST_PG_URL) → production build → Playwright e2e in Chromium.
import { spawnSync } from "node:child_process";
import net from "node:net";

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

function step(name, command, args, env = {}) {
  const started = Date.now();
  console.log(`\n━━ ${name}: ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✗ ${name} failed after ${seconds}s`);
    process.exit(result.status ?? 1);
  }
  console.log(`✓ ${name} (${seconds}s)`);
}

const bin = (name) => `node_modules/.bin/${name}`;
step("typecheck", bin("tsc"), ["--noEmit"]);
step("lint", bin("eslint"), [".", "--max-warnings=0"]);
step("unit + integration (embedded PGlite)", bin("vitest"), ["run"]);
if (await reachable(pgUrl.hostname, pgUrl.port || 5432)) {
  step("integration (Postgres server)", bin("vitest"), ["run", "tests"], { FLOWLINE_TEST_DB: "postgres" });
} else {
  console.log(`\n━━ integration (Postgres server): no server at ${pgUrl.host}, not run (set FLOWLINE_TEST_PG_URL to run it)`);
}
step("production build", bin("next"), ["build"]);
step("e2e (Playwright, Chromium)", bin("playwright"), ["test"]);
