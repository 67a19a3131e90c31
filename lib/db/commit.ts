import type { PGlite, Transaction as PGliteTx } from "@electric-sql/pglite";
import type { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";

// A transaction the database did not commit must fail the caller's $transaction, on both
// databases, instead of looking committed. Two ways a COMMIT is refused:
// - a deferred constraint fails at the commit: Postgres raises it at COMMIT (Prisma throws), while
//   pglite-prisma-adapter loses it — its commit awaits PGlite's transaction promise only through a
//   catch that rejects a promise already resolved;
// - a statement failed inside and the code swallowed its error: the database answers COMMIT with
//   ROLLBACK and no error, which Prisma on Postgres takes for a commit (PGlite's transaction()
//   throws, and the adapter loses that too).
// Both adapters are wrapped here so every refused COMMIT throws CommitRefusedError.

export class CommitRefusedError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`The database did not commit the transaction (${reason}); it was rolled back and nothing of it was stored`, options);
    this.name = "CommitRefusedError";
  }
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * PGlite's session for pglite-prisma-adapter, with the outcome of each transaction kept by its
 * handle. Each transaction also waits for a turn of the event loop before it queues: PGlite runs
 * in this thread and hands its lock from one waiter to the next in microtasks, so a stream of
 * transactions (the event dispatcher's, a burst of webhooks) would otherwise keep timers and I/O
 * — the worker's wake-up, other requests — waiting until it ends. Single statements do not wait:
 * that made runs started through the API start sooner under load too, but cost a quarter of the
 * start throughput (bench/README.md, Triggers).
 */
export function pgliteWithCommitChecks(db: PGlite): PrismaPGlite {
  const outcomes = new WeakMap<PGliteTx, Promise<unknown>>();
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  // The adapter calls query, exec and transaction on its client; only transaction changes.
  const session = {
    query: db.query.bind(db),
    exec: db.exec.bind(db),
    transaction<T>(fn: (tx: PGliteTx) => Promise<T>): Promise<T> {
      const outcome: Promise<T> = turn().then(() =>
        db.transaction(async (tx) => {
          outcomes.set(tx, outcome);
          return fn(tx);
        }),
      );
      return outcome;
    },
  } as unknown as PGlite;
  return withEachTransaction(new PrismaPGlite(session), (tx) => {
    const outcome = outcomes.get((tx as unknown as { client: PGliteTx }).client);
    if (!outcome) throw new Error("pglite-prisma-adapter no longer keeps PGlite's transaction as its client; lib/db/commit.ts needs updating");
    const commit = tx.commit.bind(tx);
    tx.commit = async () => {
      await commit();
      // The adapter resolved its commit whatever PGlite said; PGlite's own promise tells.
      await outcome.catch((error: unknown) => {
        throw new CommitRefusedError(reasonOf(error), { cause: error });
      });
    };
  });
}

/** The Postgres adapter, with a COMMIT answered ROLLBACK (or refused) thrown as CommitRefusedError. */
export function pgWithCommitChecks(factory: PrismaPg): PrismaPg {
  return withEachTransaction(factory, (tx) => {
    // executeRaw keeps only the row count; the command tag that says ROLLBACK is in performIO's result.
    const io = tx as unknown as { performIO?: (query: unknown) => Promise<{ command: string; rowCount: number | null }> };
    if (typeof io.performIO !== "function") throw new Error("@prisma/adapter-pg no longer has performIO; lib/db/commit.ts needs updating");
    const performIO = io.performIO.bind(tx);
    const executeRaw = tx.executeRaw.bind(tx);
    tx.executeRaw = async (query) => {
      if (query.sql !== "COMMIT") return executeRaw(query);
      const result = await performIO(query).catch((error: unknown) => {
        throw new CommitRefusedError(reasonOf(error), { cause: error });
      });
      if (result.command === "ROLLBACK") throw new CommitRefusedError("a statement inside it had failed, so COMMIT was answered ROLLBACK");
      return result.rowCount ?? 0;
    };
  });
}

type Factory = PrismaPg | PrismaPGlite;
type TransactionOf<F extends Factory> = Awaited<ReturnType<Awaited<ReturnType<F["connect"]>>["startTransaction"]>>;

/** Lets `adjust` change every transaction the factory's adapters start. */
function withEachTransaction<F extends Factory>(factory: F, adjust: (tx: TransactionOf<F>) => void): F {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const start = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => {
      const tx = (await start(isolationLevel)) as TransactionOf<F>;
      adjust(tx);
      return tx;
    };
    return adapter;
  };
  return factory;
}
