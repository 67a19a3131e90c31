import { getEnv, type Env } from "@/lib/config/env";
import { getDatabase, type Database } from "@/lib/db";
import { version } from "@/lib/version";

// A worker whose heartbeat is older than this is considered gone.
const WORKER_STALE_MS = 30_000;

export type Health = {
  status: "ok" | "degraded" | "down";
  version: string;
  database: { kind: "embedded" | "server" | "unknown"; reachable: boolean; latencyMs?: number; error?: string };
  migrations: { current: boolean; pending: string[] };
  /** host: what executes runs; the status is that of embedded workers (heartbeats). */
  worker: { host: "embedded" | "trigger.dev"; status: "alive" | "stale" | "none"; lastSeenAt?: string; workers: number };
};

export async function checkHealth(open: () => Promise<Database> = getDatabase): Promise<Health> {
  let database: Database;
  let latencyMs: number;
  try {
    database = await open();
    const started = performance.now();
    await database.prisma.$queryRaw`SELECT 1`;
    latencyMs = Math.round((performance.now() - started) * 10) / 10;
  } catch (error) {
    return {
      status: "down",
      version,
      database: { kind: safeKind(), reachable: false, error: (error as Error).message },
      migrations: { current: false, pending: [] },
      worker: { host: safeHost(), status: "none", workers: 0 },
    };
  }
  const { pending } = await database.migrationStatus();
  // Until the schema is current, the heartbeat table may not exist yet.
  // Runs on Trigger.dev need no embedded worker, so none is not a problem there.
  const host = safeHost();
  const worker = pending.length === 0 && host === "embedded" ? await workerHealth(database) : { host, status: "none" as const, workers: 0 };
  return {
    status: pending.length === 0 && worker.status !== "stale" ? "ok" : "degraded",
    version,
    database: { kind: database.kind, reachable: true, latencyMs },
    migrations: { current: pending.length === 0, pending },
    worker,
  };
}

async function workerHealth(database: Database): Promise<Health["worker"]> {
  const beats = await database.prisma.workerHeartbeat.findMany({ orderBy: { lastSeenAt: "desc" }, take: 50 });
  const fresh = beats.filter((beat) => Date.now() - beat.lastSeenAt.getTime() < WORKER_STALE_MS);
  return {
    host: "embedded",
    status: fresh.length > 0 ? "alive" : beats.length > 0 ? "stale" : "none",
    workers: fresh.length,
    ...(beats[0] ? { lastSeenAt: beats[0].lastSeenAt.toISOString() } : {}),
  };
}

/** The settings, or null when they do not parse (health still answers then). */
function safeEnv(): Env | null {
  try {
    return getEnv();
  } catch {
    return null;
  }
}
const safeHost = (): Health["worker"]["host"] => safeEnv()?.runsOn ?? "embedded";
const safeKind = (): Health["database"]["kind"] => {
  const env = safeEnv();
  return env === null ? "unknown" : env.embedded ? "embedded" : "server";
};
