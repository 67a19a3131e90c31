import type { Db } from "@/lib/db";
import { logger } from "@/lib/log";
import type { NodeCatalog } from "@/lib/workflow/node-types";
import { latestTick, nextFireTimes, scheduleTrigger, takeTick, type ScheduleConfig } from "./schedule";

// Fires schedule triggers. Every process that runs it (the app, `npm run worker`s) may try the
// same tick: the intake's ledger lets one of them start the run. A pass looks at every enabled,
// published schedule and fires its latest tick that is due and not older than when the schedule
// became active (published or enabled), so downtime costs one run, not one per missed tick. The
// next pass is timed for the earliest next tick (and at least every few seconds, to see changes).

const RESCAN_MS = 5_000;

type Schedule = { workflowId: string; companyId: string; activeSince: Date; config: ScheduleConfig };

export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  /** The last tick each workflow is known to have fired, so a pass does not ask the ledger again. */
  private readonly fired = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly catalog: NodeCatalog,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private async schedules(): Promise<Schedule[]> {
    const rows = await this.db.$queryRaw<{ workflowId: string; companyId: string; enabledAt: Date | null; publishedAt: Date; config: unknown }[]>`
      SELECT w.id AS "workflowId", w."companyId", w."enabledAt", v."createdAt" AS "publishedAt", v.definition->'trigger'->'config' AS config
        FROM "Workflow" w JOIN "WorkflowVersion" v ON v.id = w."publishedVersionId"
       WHERE w.enabled AND w."deletedAt" IS NULL AND v.definition->'trigger'->>'type' = 'schedule'`;
    return rows.flatMap((row) => {
      const config = scheduleTrigger.config.safeParse(row.config ?? {});
      if (!config.success) return [];
      const activeSince = row.enabledAt && row.enabledAt > row.publishedAt ? row.enabledAt : row.publishedAt;
      return [{ workflowId: row.workflowId, companyId: row.companyId, activeSince, config: config.data }];
    });
  }

  /** One pass: fires what is due; returns when the next tick is. */
  async pass(): Promise<Date | null> {
    const now = this.clock();
    let next: Date | null = null;
    const taking: Promise<void>[] = [];
    for (const schedule of await this.schedules()) {
      const due = latestTick(schedule.config, now);
      if (due && due >= schedule.activeSince && this.fired.get(schedule.workflowId) !== due.getTime()) {
        // Ticks due together are taken together: the intake puts them in one batch.
        taking.push(
          takeTick(this.db, this.catalog, { companyId: schedule.companyId, workflowId: schedule.workflowId, scheduledAt: due, firedAt: now }).then(
            () => void this.fired.set(schedule.workflowId, due.getTime()),
            (error: unknown) =>
              logger.warn({ err: error, workflowId: schedule.workflowId }, "a schedule tick could not be taken in; the next pass tries again"),
          ),
        );
      }
      const [upcoming] = nextFireTimes(schedule.config, now, 1);
      if (upcoming && (!next || upcoming < next)) next = upcoming;
    }
    await Promise.all(taking);
    return next;
  }

  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      let next: Date | null = null;
      try {
        next = await this.pass();
      } catch (error) {
        logger.warn({ err: error }, "schedule pass failed");
      }
      if (this.stopped) return;
      const wait = Math.max(0, Math.min(RESCAN_MS, next ? next.getTime() - Date.now() : RESCAN_MS));
      this.timer = setTimeout(() => void loop(), wait);
      this.timer.unref();
    };
    void loop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
