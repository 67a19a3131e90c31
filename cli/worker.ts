// `npm run worker`: an embedded-host worker in its own process. With a Postgres server, run as
// many as you like beside the app (set FLOWLINE_EMBEDDED_WORKER=off on the app to keep it out).
// On the embedded database it only starts while the app is stopped: PGlite has one process.
import { catalog } from "@/lib/catalog";
import { ConfigError, getEnv } from "@/lib/config/env";
import { closeDatabase, getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { startTriggerServices } from "@/lib/triggers/services";
import { EmbeddedWorker, workerDefaults } from "@/lib/workflow/hosts/embedded";

async function main() {
  const env = getEnv();
  if (env.runsOn === "trigger.dev") {
    console.error(
      "flowline worker: TRIGGER_SECRET_KEY is set, so runs execute as Trigger.dev tasks; an embedded worker would compete with them.\nUnset TRIGGER_SECRET_KEY to run workflows on embedded workers instead.",
    );
    process.exit(2);
  }
  const database = await getDatabase();
  const worker = new EmbeddedWorker(database.prisma, { ...workerDefaults[database.kind], catalog, databaseUrl: env.embedded ? undefined : env.DATABASE_URL });
  await worker.start();
  // Every worker process also fires schedules and delivers internal events (the ledger keeps it to one run each).
  const triggers = startTriggerServices(database.prisma, catalog);
  const stop = async (signal: string) => {
    logger.info({ signal }, "worker shutting down");
    await triggers.stop();
    await worker.stop();
    await closeDatabase();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof AppError) {
    console.error(`flowline worker: ${error.message}${error instanceof AppError && error.remediation ? `\n${error.remediation}` : ""}`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  console.error("flowline worker: unexpected error", error);
  process.exit(1);
});
