import type { Db } from "@/lib/db";
import { logger } from "@/lib/log";
import { expireDue, remindDue } from "./signing";

// Expiry and reminders of signature requests, on every long-running process (the app, each
// worker) beside the scheduler: each pass expires what is due (under the request's lock, so two
// processes expire a request once) and reminds signers whose last email is old enough.

const PASS_MS = 60_000;

export class DocumentSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** One pass: what it expired and how many reminders it sent. */
  async pass(): Promise<{ expired: number; reminded: number }> {
    const now = this.clock();
    const expired = await expireDue(this.db, now);
    const reminded = await remindDue(this.db, now);
    return { expired, reminded };
  }

  start(): void {
    const loop = () => {
      this.running = this.pass()
        .then(() => undefined)
        .catch((error: unknown) => logger.warn({ err: error }, "signature request expiry and reminders failed this pass; the next one tries again"))
        .finally(() => {
          this.running = null;
          this.timer = setTimeout(loop, PASS_MS);
          this.timer.unref();
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    if (this.timer) clearTimeout(this.timer);
  }
}
