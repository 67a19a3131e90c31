// The host's clock: what due times (WAIT, retry backoff, approval timeouts, the run's time limit)
// are compared against, and what fires a worker's wake-up timer. Hosts take it as an option, so
// tests can move time forward instead of sleeping through it. Leases stay on the database's own
// clock: they measure whether a process is alive, not when a run is due.

export type Clock = {
  now(): Date;
  /** Calls `fn` once this clock reaches `at` (soon, if it already has); returns the cancel. */
  at(at: Date, fn: () => void): () => void;
};

export const systemClock: Clock = {
  now: () => new Date(),
  at(at, fn) {
    const timer = setTimeout(fn, Math.max(0, at.getTime() - Date.now()));
    timer.unref();
    return () => clearTimeout(timer);
  },
};
