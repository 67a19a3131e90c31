import { getEnv } from "@/lib/config/env";
import { getDatabase, type Database } from "@/lib/db";
import { version } from "@/lib/version";

// A worker whose heartbeat is older than this is considered gone.
const WORKER_STALE_MS = 30_000;

export type Health = {
  status: "ok" | "degraded" | "down";
  version: string;
  database: { kind: "embedded" | "server" | "unknown"; reachable: boolean; latencyMs?: number; error?: string };
  migrations: { current: boolean; pending: string[] };
  worker: { status: "alive" | "stale" | "none"; lastSeenAt?: string; workers: number };
};

export async function checkHealth(open: () => Promise<Database> = getDatabase): Promise<Health> {
  try {
    const database = await open();
    const opened = performance.now();
    await database.prisma.$queryRaw`SELECT 1`;
    const latencyMs = Math.round((performance.now() - opened) * 10) / 10;
    const { pending } = await database.migrationStatus();
    const beats = await database.prisma.workerHeartbeat.findMany({ orderBy: { lastSeenAt: "desc" }, take: 50 });
    const fresh = beats.filter((beat) => Date.now() - beat.lastSeenAt.getTime() < WORKER_STALE_MS);
    const worker: Health["worker"] = {
      status: fresh.length > 0 ? "alive" : beats.length > 0 ? "stale" : "none",
      workers: fresh.length,
      ...(beats[0] ? { lastSeenAt: beats[0].lastSeenAt.toISOString() } : {}),
    };
    const healthy = pending.length === 0 && worker.status !== "stale";
    return {
      status: healthy ? "ok" : "degraded",
      version,
      database: { kind: database.kind, reachable: true, latencyMs },
      migrations: { current: pending.length === 0, pending },
      worker,
    };
  } catch (error) {
    return {
      status: "down",
      version,
      database: { kind: safeKind(), reachable: false, error: (error as Error).message },
      migrations: { current: false, pending: [] },
      worker: { status: "none", workers: 0 },
    };
  }
}

function safeKind(): Health["database"]["kind"] {
  try {
    return getEnv().embedded ? "embedded" : "server";
  } catch {
    return "unknown";
  }
}
