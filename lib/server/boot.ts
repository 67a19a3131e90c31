import { recordPeerAddresses } from "@/lib/auth/client-address";
import { catalog } from "@/lib/catalog";
import { ConfigError, getEnv } from "@/lib/config/env";
import { closeDatabase, getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { publishOperatorEndpoint } from "@/lib/operator/endpoint";
import { startTriggerServices } from "@/lib/triggers/services";
import { EmbeddedWorker, workerDefaults } from "@/lib/workflow/hosts/embedded";
import { startTriggerDispatcher } from "@/lib/workflow/hosts/trigger";
import { connectRunsReady } from "@/lib/workflow/engine/signal";

const state = globalThis as unknown as { __flowlineBooted?: boolean };

/** Starts the server side of Flowline in this process; a bad config or a taken database stops it. */
export async function boot(): Promise<void> {
  if (state.__flowlineBooted) return;
  state.__flowlineBooted = true;
  let worker: EmbeddedWorker | null = null;
  let leaveRunsReady: (() => Promise<void>) | null = null;
  let triggers: { stop(): Promise<void> } | null = null;
  try {
    const env = getEnv();
    recordPeerAddresses();
    const database = await getDatabase();
    if (env.embedded) publishOperatorEndpoint(env);
    // With Trigger.dev selected, its tasks execute runs; the app only hands over runs that could
    // not be triggered when they started.
    if (env.runsOn === "trigger.dev") {
      if (env.embedded)
        logger.warn(
          "TRIGGER_SECRET_KEY is set but the database is the embedded one, which Trigger.dev's machines cannot reach: set DATABASE_URL to a Postgres server they can reach",
        );
      startTriggerDispatcher(database.prisma);
    } else if (env.FLOWLINE_EMBEDDED_WORKER === "on") {
      // The embedded worker runs in the app process unless turned off (e.g. when separate
      // `npm run worker` processes serve a Postgres server).
      worker = new EmbeddedWorker(database.prisma, { ...workerDefaults[database.kind], catalog, databaseUrl: env.embedded ? undefined : env.DATABASE_URL });
      await worker.start();
    } else if (!env.embedded) {
      // Separate `npm run worker` processes execute runs: they hear of new ones through NOTIFY.
      leaveRunsReady = await connectRunsReady(env.DATABASE_URL!);
    }
    // Schedules and internal events start runs from here whatever host executes them.
    triggers = startTriggerServices(database.prisma, catalog);
    logger.info({ database: database.kind, url: env.appUrl, host: env.runsOn, worker: worker?.id ?? "off" }, "flowline ready");
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AppError) {
      console.error(`\nFlowline cannot start.\n${error.message}${error instanceof AppError && error.remediation ? `\n${error.remediation}` : ""}\n`);
      process.exit(1);
    }
    throw error;
  }
  const shutdown = async (signal: string) => {
    logger.info({ signal }, "shutting down");
    await triggers?.stop().catch((error: unknown) => logger.warn({ err: error }, "stopping the trigger services failed"));
    await worker?.stop().catch((error: unknown) => logger.error({ err: error }, "stopping the worker failed"));
    await leaveRunsReady?.().catch((error: unknown) => logger.warn({ err: error }, "closing the run notification connection failed"));
    await closeDatabase().catch((error: unknown) => logger.error({ err: error }, "closing the database failed"));
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}
