import type { Db } from "@/lib/db";

// Group commit for the hottest statements (run starts, run finishes, the intake, and the webhook
// receiver's read of the workflow called): while one statement is in flight, the items that arrive
// wait for it and then go together in the next one, with one round trip (and one commit). Alone, a write goes at once (after the current turn of the event
// loop, so that requests read together also go together); under load the batches grow by
// themselves. A batch the database refuses is tried again item by item, so one bad item fails
// alone and the others still commit.

type Pending<T, R> = { item: T; resolve: (result: R) => void; reject: (error: unknown) => void };
type Queue<T, R> = { items: Pending<T, R>[]; flushing: boolean };

export function groupCommit<T, R>(options: {
  /** Writes the items in one statement; the results in the items' order. */
  write: (db: Db, items: T[]) => Promise<R[]>;
  /** How many of the queued items (at least one) go in the next statement. */
  take: (items: T[]) => number;
}): (db: Db, item: T) => Promise<R> {
  const queues = new WeakMap<Db, Queue<T, R>>();

  async function writeBatch(db: Db, batch: Pending<T, R>[]) {
    try {
      const results = await options.write(
        db,
        batch.map((p) => p.item),
      );
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      for (const pending of batch) await writeBatch(db, [pending]);
    }
  }

  async function flush(db: Db, queue: Queue<T, R>) {
    queue.flushing = true;
    try {
      await new Promise((resolve) => setImmediate(resolve));
      while (queue.items.length > 0) {
        const count = Math.max(1, options.take(queue.items.map((p) => p.item)));
        await writeBatch(db, queue.items.splice(0, count));
      }
    } finally {
      queue.flushing = false;
    }
  }

  return (db, item) => {
    let queue = queues.get(db);
    if (!queue) queues.set(db, (queue = { items: [], flushing: false }));
    const result = new Promise<R>((resolve, reject) => queue.items.push({ item, resolve, reject }));
    if (!queue.flushing) void flush(db, queue);
    return result;
  };
}
