import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Caller } from "@/lib/auth/roles";
import type { Database } from "@/lib/db/open";
import { chain, drainedRuns, publishedWorkflow } from "./fixtures";
import { ms } from "./stats";

// Starts over real HTTP: the production build served by `next start` (its embedded worker on,
// as a fresh install runs), 16 keep-alive clients (autocannon, bench/load.mjs) posting to /api/v1/workflows/{id}/runs. Only
// on the Postgres server: the app process owns the database and the bench reads the same one.

const CLIENTS = 16;
const TOTAL = 5000;

async function healthy(url: string, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`next start did not answer ${url}/api/health within ${timeoutMs / 1000} s`);
}

type LoadResult = {
  requests: number;
  perSecond: number;
  non2xx: number;
  errors: number;
  latency: { p50: number; p99: number; max: number };
  clientCpuPercent: number;
};

/** Runs bench/load.mjs (autocannon) in its own process, so the load does not share the bench's event loop. */
async function load(options: Record<string, unknown>): Promise<LoadResult> {
  const child = spawn(process.execPath, [path.join("bench", "load.mjs"), JSON.stringify(options)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  return JSON.parse(out) as LoadResult;
}

export async function benchHttpStarts(
  label: string,
  database: Database & { url: string },
  owner: Caller,
  key: string,
): Promise<{ name: string; met: boolean }> {
  const name = `${label} http starts`;
  if (!existsSync(path.join(".next", "BUILD_ID"))) {
    console.log(`[${label}] two-step runs started over HTTP: skipped (no production build; run npm run build first)`);
    return { name, met: false };
  }
  const workflowId = await publishedWorkflow(database, owner, chain(2));
  const port = 3400 + Math.floor(Math.random() * 500);
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "flowline-bench-"));
  // FLOWLINE_BENCH_CPU_PROF=<dir> writes a CPU profile of the server (open it in Chrome's DevTools).
  const profile = process.env.FLOWLINE_BENCH_CPU_PROF;
  const nodeFlags = profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : [];
  const server = spawn(process.execPath, [...nodeFlags, path.join("node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port)], {
    detached: true,
    stdio: "ignore",
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: database.url,
      FLOWLINE_DATA_DIR: dataDir,
      APP_URL: url,
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
      LOG_LEVEL: "warn",
      TRIGGER_SECRET_KEY: "",
    },
  });
  try {
    await healthy(url, 60_000);
    const request = {
      url: `${url}/api/v1/workflows/${workflowId}/runs`,
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ payload: { bench: true } }),
    };
    await load({ ...request, connections: CLIENTS, amount: 200 }); // warm-up: routes compiled, connections open
    const single = await load({ ...request, connections: 1, amount: 500 });
    const before = new Date();
    const started = performance.now();
    const many = await load({ ...request, connections: CLIENTS, amount: TOTAL });
    const ids = (await database.prisma.workflowRun.findMany({ where: { workflowId, createdAt: { gte: before } }, select: { id: true } })).map((r) => r.id);
    const { drained, latency } = await drainedRuns(database, ids, started);
    const met = many.perSecond >= 1000 && many.latency.p99 <= 50 && single.latency.p50 <= 2;
    console.log(
      `[${label}] two-step runs started over HTTP (next start; autocannon in its own process): 1 client ${single.perSecond.toFixed(0)} starts/s, p50 ${single.latency.p50} ms; ${CLIENTS} clients ${many.perSecond.toFixed(0)} starts/s, request p50 ${many.latency.p50} ms, p99 ${many.latency.p99} ms (load process ${many.clientCpuPercent.toFixed(0)}% of a core; ${many.non2xx + many.errors} failed); all ${ids.length} finished in ${drained.toFixed(1)} s (${(ids.length / drained).toFixed(0)} runs/s end to end); start-to-first-step median ${ms(latency.median)}, p99 ${ms(latency.p99)} — target ≥ 1000/s, p99 ≤ 50 ms, 1 client p50 ≤ 2 ms: ${met ? "met" : "NOT met"}`,
    );
    return { name, met };
  } finally {
    if (server.pid) process.kill(-server.pid, "SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
