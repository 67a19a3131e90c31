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
// as a fresh install runs), 16 keep-alive clients posting to /api/v1/workflows/{id}/runs. Only
// on the Postgres server: the app process owns the database and the bench reads the same one.

const CLIENTS = 16;
const TOTAL = 2000;

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
  const server = spawn(path.join("node_modules", ".bin", "next"), ["start", "-p", String(port)], {
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
    const post = async (n: number) => {
      const response = await fetch(`${url}/api/v1/workflows/${workflowId}/runs`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ payload: { n } }),
      });
      if (response.status !== 202) throw new Error(`start answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { run: { id: string } }).run.id;
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => post(-i))); // warm-up: routes compiled, connections open
    let next = 0;
    const ids: string[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < TOTAL) ids.push(await post(next++));
      }),
    );
    const perSecond = TOTAL / ((performance.now() - started) / 1000);
    const { drained, latency } = await drainedRuns(database, ids, started);
    const met = perSecond >= 1000 && latency.p99 <= 50;
    console.log(
      `[${label}] two-step runs started over HTTP (next start, ${CLIENTS} keep-alive clients): ${perSecond.toFixed(0)} starts/s; all ${TOTAL} finished in ${drained.toFixed(1)} s (${(TOTAL / drained).toFixed(0)} runs/s end to end); start-to-first-step median ${ms(latency.median)}, p99 ${ms(latency.p99)} — target ≥ 1000/s and p99 ≤ 50 ms: ${met ? "met" : "NOT met"}`,
    );
    return { name, met };
  } finally {
    if (server.pid) process.kill(-server.pid, "SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
