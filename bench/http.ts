import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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

/** CPU time a process has used (Linux /proc): a figure the other load on the machine does not inflate much, unlike latency. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

/** Node's flags in `npm start` (package.json), so the bench runs the server as a deployment does. */
function startFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } };
  return scripts.start.match(/--[a-z-]+=\S+/g) ?? [];
}

/** A process's resident memory in MB (Linux /proc). */
function residentMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return Number(line![1]) / 1024;
}

/** Transactions committed in the bench's database so far (statements outside a transaction count one each). */
async function commits(database: Database): Promise<number> {
  const [row] = await database.prisma.$queryRaw<{ n: bigint }[]>`SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()`;
  return Number(row!.n);
}

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
  /** Then this many more runs through the same server, its resident memory read after every 10,000 (0: not measured). */
  memoryRuns: number,
): Promise<{ name: string; met: boolean }[]> {
  const name = `${label} http starts`;
  if (!existsSync(path.join(".next", "BUILD_ID"))) {
    console.log(`[${label}] two-step runs started over HTTP: skipped (no production build; run npm run build first)`);
    return [{ name, met: false }];
  }
  const workflowId = await publishedWorkflow(database, owner, chain(2));
  const port = 3400 + Math.floor(Math.random() * 500);
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "flowline-bench-"));
  // FLOWLINE_BENCH_CPU_PROF=<dir> writes a CPU profile of the server (open it in Chrome's DevTools).
  const profile = process.env.FLOWLINE_BENCH_CPU_PROF;
  const nodeFlags = [...startFlags(), ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : [])];
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
    const bootMb = residentMb(server.pid!);
    const request = {
      url: `${url}/api/v1/workflows/${workflowId}/runs`,
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ payload: { bench: true } }),
    };
    await load({ ...request, connections: CLIENTS, amount: 200 }); // warm-up: routes compiled, connections open
    const single = await load({ ...request, connections: 1, amount: 500 });
    // What Next.js and the proxy cost without us: the health route (one SELECT 1), one client.
    const health = await load({ url: `${url}/api/health`, connections: 1, amount: 500 });
    const before = new Date();
    const started = performance.now();
    const cpuBefore = cpuSeconds(server.pid!);
    const commitsBefore = await commits(database);
    const many = await load({ ...request, connections: CLIENTS, amount: TOTAL });
    const serverCpuMs = ((cpuSeconds(server.pid!) - cpuBefore) * 1000) / TOTAL;
    const ids = (await database.prisma.workflowRun.findMany({ where: { workflowId, createdAt: { gte: before } }, select: { id: true } })).map((r) => r.id);
    const { drained, latency } = await drainedRuns(database, ids, started);
    const commitsPerRun = ((await commits(database)) - commitsBefore) / ids.length;
    const met = many.perSecond >= 1000 && many.latency.p99 <= 50 && single.latency.p50 <= 2;
    console.log(
      `[${label}] two-step runs started over HTTP (next start; autocannon in its own process): 1 client ${single.perSecond.toFixed(0)} starts/s, p50 ${single.latency.p50} ms (GET /api/health: p50 ${health.latency.p50} ms); ${CLIENTS} clients ${many.perSecond.toFixed(0)} starts/s, request p50 ${many.latency.p50} ms, p99 ${many.latency.p99} ms (server CPU ${serverCpuMs.toFixed(2)} ms per start, its worker's share included; ${commitsPerRun.toFixed(2)} commits per run, start to finish; load process ${many.clientCpuPercent.toFixed(0)}% of a core; ${many.non2xx + many.errors} failed); all ${ids.length} finished in ${drained.toFixed(1)} s (${(ids.length / drained).toFixed(0)} runs/s end to end); start-to-first-step median ${ms(latency.median)}, p99 ${ms(latency.p99)} — target ≥ 1000/s, p99 ≤ 50 ms, 1 client p50 ≤ 2 ms: ${met ? "met" : "NOT met"}`,
    );
    const results = [{ name, met }];
    if (memoryRuns > 0) {
      const rss: number[] = [bootMb, residentMb(server.pid!)];
      for (let done = 0; done < memoryRuns; done += 10_000) {
        const chunkStarted = new Date();
        const chunk = await load({ ...request, connections: CLIENTS, amount: Math.min(10_000, memoryRuns - done) });
        if (chunk.non2xx + chunk.errors > 0) throw new Error(`${chunk.non2xx + chunk.errors} starts failed`);
        const chunkIds = (await database.prisma.workflowRun.findMany({ where: { workflowId, createdAt: { gte: chunkStarted } }, select: { id: true } })).map(
          (r) => r.id,
        );
        await drainedRuns(database, chunkIds, performance.now());
        rss.push(residentMb(server.pid!));
      }
      const peak = Math.max(...rss);
      const memoryMet = peak < 400;
      console.log(
        `[${label}] app memory through ${memoryRuns.toLocaleString("en")} more runs over HTTP: resident ${rss.map((mb) => mb.toFixed(0)).join(" → ")} MB (started, after the 5,000 above, then after each 10,000, drained) — target < 400 MB: ${memoryMet ? "met" : "NOT met"}`,
      );
      results.push({ name: `${label} app memory`, met: memoryMet });
    }
    return results;
  } finally {
    if (server.pid) process.kill(-server.pid, "SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
