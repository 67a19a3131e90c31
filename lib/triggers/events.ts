import pg from "pg";
import type { Db, Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { logger } from "@/lib/log";
import type { NodeCatalog } from "@/lib/workflow/node-types";
import { takeEvent } from "./intake";

// Internal events (document.completed…): written to the outbox in the same transaction as the
// change that causes them, so an event exists exactly when its cause does; the dispatcher hands
// each to the intake once (a crash after the intake's commit redelivers it, and the intake's
// ledger starts nothing twice). The dispatcher is nudged when an event commits (NOTIFY on a
// server, in-process on PGlite) and polls every second as the safety net.

export type InternalEvent = { companyId: string; type: string; payload: Record<string, unknown> };

const listeners = new Set<() => void>();
/** NOTIFY is transactional: listeners hear it when the emitting transaction commits, in any process. */
const CHANNEL = "flowline_events";

/** Records an event; call it with the transaction of the change that causes it. */
export async function emitEvent(tx: Db | Tx, event: InternalEvent): Promise<string> {
  const row = await tx.eventOutbox.create({
    data: { companyId: event.companyId, type: event.type, payload: event.payload as Prisma.InputJsonValue },
    select: { id: true },
  });
  await tx.$executeRaw`SELECT pg_notify(${CHANNEL}, '')`;
  // In this process, at once: on PGlite the dispatcher's read queues behind the caller's
  // transaction, so it sees the event; on a server it may not yet, and the NOTIFY at the commit
  // (when the dispatcher listens) brings it back.
  for (const listener of listeners) setImmediate(listener);
  return row.id;
}

const BATCH = 50;
const POLL_MS = 1_000;
const RECONNECT_MS = 1_000;

export class EventDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private running: Promise<void> | null = null;
  /** A nudge came while a pass was running: pass again once it ends, or the event waits for the poll. */
  private again = false;
  private listener: pg.Client | null = null;
  private reconnect: NodeJS.Timeout | null = null;
  private readonly nudge = () => {
    this.again = true;
    void this.drain();
  };

  constructor(
    private readonly db: Db,
    private readonly catalog: NodeCatalog,
    /** The Postgres server's URL: events committed by any process are delivered at their commit (LISTEN), not at the next poll. */
    private readonly databaseUrl?: string,
  ) {}

  /** Delivers what is waiting; returns how many events it delivered. */
  async pass(): Promise<number> {
    const rows = await this.db.eventOutbox.findMany({ where: { deliveredAt: null }, orderBy: { createdAt: "asc" }, take: BATCH });
    // Taken together, the events of a pass share the intake's statements (its group commit); each
    // outbox row is marked delivered in the statement that takes its event in.
    await Promise.all(
      rows.map((row) =>
        takeEvent(this.db, this.catalog, {
          companyId: row.companyId,
          triggerType: row.type,
          source: `event:${row.type}`,
          externalId: row.id,
          payload: row.payload as Record<string, unknown>,
          outboxId: row.id,
        }),
      ),
    );
    return rows.length;
  }

  private async drain(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        let delivered: number;
        do {
          this.again = false;
          delivered = await this.pass();
        } while (!this.stopped && (delivered === BATCH || this.again));
      } catch (error) {
        logger.warn({ err: error }, "internal events could not be delivered yet; the next pass tries again");
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async listen(): Promise<void> {
    if (!this.databaseUrl || this.stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl });
    const lost = (error?: unknown) => {
      if (this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => {});
      if (this.stopped) return;
      logger.warn({ err: error }, "internal event notifications lost their connection; polling until it is back");
      this.reconnect = setTimeout(() => void this.listen(), RECONNECT_MS);
      this.reconnect.unref();
    };
    client.on("notification", this.nudge);
    client.on("error", lost);
    client.on("end", () => lost());
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      // What was committed while we were not listening.
      this.nudge();
    } catch (error) {
      lost(error);
    }
  }

  async start(): Promise<void> {
    this.stopped = false;
    listeners.add(this.nudge);
    await this.listen();
    const loop = () => {
      if (this.stopped) return;
      void this.drain().finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(loop, POLL_MS);
        this.timer.unref();
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    listeners.delete(this.nudge);
    if (this.timer) clearTimeout(this.timer);
    if (this.reconnect) clearTimeout(this.reconnect);
    const client = this.listener;
    this.listener = null;
    await client?.end().catch(() => undefined);
    await this.running;
  }
}
