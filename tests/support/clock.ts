import type { Clock } from "@/lib/workflow/engine/clock";

/**
 * The host clock for tests: real time plus an offset that advance() grows, so a test skips a
 * wait instead of sleeping through it. Timers armed on it (a worker's wake-up, the fake
 * Trigger.dev's durable waits) fire when real time or an advance reaches them.
 */
export class TestClock implements Clock {
  private offsetMs = 0;
  private readonly timers = new Set<{ at: number; fn: () => void; timer: NodeJS.Timeout }>();

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  at(at: Date, fn: () => void): () => void {
    const entry = { at: at.getTime(), fn, timer: this.schedule(at.getTime(), fn) };
    this.timers.add(entry);
    return () => {
      clearTimeout(entry.timer);
      this.timers.delete(entry);
    };
  }

  /** Moves time forward; timers now due fire. */
  advance(ms: number): void {
    this.offsetMs += ms;
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.timer = this.schedule(entry.at, entry.fn);
    }
  }

  private schedule(at: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(
      () => {
        for (const entry of this.timers) if (entry.timer === timer) this.timers.delete(entry);
        fn();
      },
      Math.max(0, at - this.now().getTime()),
    );
    timer.unref();
    return timer;
  }
}

/** One clock per test file (each file runs in its own module scope): hosts, fakes and tests share it. */
export const testClock = new TestClock();

/**
 * A clock that stands still until advance(): for limits measured in fractions of a second, where
 * the real time a test takes would refill what it is counting. Timers fire during advance().
 */
export class ManualClock implements Clock {
  private time: number;
  private readonly timers = new Set<{ at: number; fn: () => void }>();

  constructor(start = new Date()) {
    this.time = start.getTime();
  }

  now(): Date {
    return new Date(this.time);
  }

  at(at: Date, fn: () => void): () => void {
    const entry = { at: at.getTime(), fn };
    this.timers.add(entry);
    return () => this.timers.delete(entry);
  }

  advance(ms: number): void {
    this.time += ms;
    for (const entry of [...this.timers].sort((a, b) => a.at - b.at)) {
      if (entry.at > this.time) continue;
      this.timers.delete(entry);
      entry.fn();
    }
  }
}
