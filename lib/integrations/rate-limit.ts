import type { Db } from "@/lib/db";
import { WorkflowError } from "@/lib/workflow/errors";
import type { RateLimit } from "@/lib/integrations/types";

// Per-connection rate limits as fixed windows counted in the database, so every workflow, worker
// and process of the company draws from the same budget. Over the limit, the step fails with
// E_RATE_LIMITED and retryAfterMs = the rest of the window: the engine turns that into a durable
// wait, not a failure.

export async function takeRateLimitSlot(db: Db, input: { credentialId: string; bucket: string; limit: RateLimit; appName: string; now?: Date }): Promise<void> {
  const now = (input.now ?? new Date()).getTime();
  const windowMs = input.limit.windowMs;
  const windowStart = new Date(Math.floor(now / windowMs) * windowMs);
  const rows = await db.$queryRaw<{ count: number }[]>`
    INSERT INTO "ConnectionRateWindow" ("credentialId", "bucket", "windowStart", "count")
    VALUES (${input.credentialId}, ${input.bucket}, ${windowStart}, 1)
    ON CONFLICT ("credentialId", "bucket", "windowStart")
    DO UPDATE SET "count" = "ConnectionRateWindow"."count" + 1
    RETURNING "count"`;
  const count = Number(rows[0]?.count ?? 1);
  if (count === 1) {
    // A new window: forget the old ones of this connection.
    await db.connectionRateWindow.deleteMany({ where: { credentialId: input.credentialId, bucket: input.bucket, windowStart: { lt: windowStart } } });
  }
  if (count > input.limit.limit) {
    const retryAfterMs = Math.max(1, windowStart.getTime() + windowMs - now);
    throw new WorkflowError("E_RATE_LIMITED", {
      message: `This ${input.appName} connection reached its limit of ${input.limit.limit} calls per ${Math.round(windowMs / 1000)} s (shared by every workflow of the company)`,
      retryAfterMs,
      details: { connectionId: input.credentialId, bucket: input.bucket, limit: input.limit.limit, windowMs },
    });
  }
}
