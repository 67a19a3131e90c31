import type { Db, Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { logger } from "@/lib/log";
import type { NodeCatalog } from "@/lib/workflow/node-types";
import { takeEvent } from "./intake";

// Internal events (document.completed…): written to the outbox in the same transaction as the
// change that causes them, so an event exists exactly when its cause does; the dispatcher hands
// each to the intake once (a crash after the intake's commit redelivers it, and the intake's
// ledger starts nothing twice).

export type InternalEvent = { companyId: string; type: string; payload: Record<string, unknown> };

const listeners = new Set<() => void>();

/** Records an event; call it with the transaction of the change that causes it. */
export async function emitEvent(tx: Db | Tx, event: InternalEvent): Promise<string> {
  const row = await tx.eventOutbox.create({
    data: { companyId: event.companyId, type: event.type, payload: event.payload as Prisma.InputJsonValue },
    select: { id: true },
  });
  // A dispatcher in this process looks at once (after the caller's commit, on its next pass).
  for (const listener of listeners) setImmediate(listener);
  return row.id;
}

const BATCH = 50;
const PARALLEL = 8;
const POLL_MS = 1_000;

export class EventDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private running: Promise<number> | null = null;
  private readonly nudge = () => void this.drain();

  constructor(
    private readonly db: Db,
    private readonly catalog: NodeCatalog,
  ) {}

  /** Delivers what is waiting; returns how many events it delivered. */
  async pass(): Promise<number> {
    const rows = await this.db.eventOutbox.findMany({ where: { deliveredAt: null }, orderBy: { createdAt: "asc" }, take: BATCH });
    // Events are independent: several in flight overlap their commits (the ledger keeps each to one delivery).
    let next = 0;
    const deliverSome = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        await takeEvent(this.db, this.catalog, {
          companyId: row.companyId,
          triggerType: row.type,
          source: `event:${row.type}`,
          externalId: row.id,
          payload: row.payload as Record<string, unknown>,
        });
        await this.db.eventOutbox.update({ where: { id: row.id }, data: { deliveredAt: new Date() } });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, rows.length) }, deliverSome));
    return rows.length;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = this.pass();
    try {
      while ((await this.running) === BATCH) this.running = this.pass();
    } catch (error) {
      logger.warn({ err: error }, "internal events could not be delivered yet; the next pass tries again");
    } finally {
      this.running = null;
    }
  }

  start(): void {
    this.stopped = false;
    listeners.add(this.nudge);
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
    await this.running?.catch(() => undefined);
  }
}
