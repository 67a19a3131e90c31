import { getEnv } from "@/lib/config/env";
import type { Db } from "@/lib/db";
import { DocumentSweeper } from "@/lib/documents/sweeper";
import type { NodeCatalog } from "@/lib/workflow/node-types";
import { EventDispatcher } from "./events";
import { Scheduler } from "./scheduler";

// What a long-running process does for triggers that have no caller: fire schedules and deliver
// internal events; expire and remind Doc Manager signature requests. Webhooks (and inbound email)
// arrive as requests and need nothing running. On the Trigger.dev host, Trigger.dev fires
// schedules (schedule.ts), so no process here ticks.
export function startTriggerServices(db: Db, catalog: NodeCatalog): { stop(): Promise<void> } {
  const env = getEnv();
  const scheduler = env.runsOn === "trigger.dev" ? null : new Scheduler(db, catalog);
  const events = new EventDispatcher(db, catalog, env.embedded ? undefined : env.DATABASE_URL);
  const documents = new DocumentSweeper(db);
  scheduler?.start();
  // A failed LISTEN is logged and retried inside; polling delivers meanwhile.
  void events.start();
  documents.start();
  return {
    async stop() {
      scheduler?.stop();
      await events.stop();
      await documents.stop();
    },
  };
}
