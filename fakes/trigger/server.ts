import { AsyncLocalStorage } from "node:async_hooks";
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { lifecycleHooks, parsePacket, resourceCatalog } from "@trigger.dev/core/v3";
import { runInMockTaskContext } from "@trigger.dev/core/v3/test";
import { StandardResourceCatalog } from "@trigger.dev/core/v3/workers";
import { Cron } from "croner";

// A local stand-in for the Trigger.dev platform, for tests: the HTTP API the SDK calls (trigger a
// task with an idempotency key, durable waits, waitpoint tokens, cancel) and a task executor.
// Triggered tasks run in this process inside @trigger.dev/core's mock task context; each task run
// sees its own run id (an AsyncLocalStorage follows it), so many runs can be in flight at once,
// as they would be on separate machines. A task that waits is parked on the waitpoint here, like
// the platform checkpoints it, and continues when the waitpoint completes. Imperative schedules
// (/api/v1/schedules: create or update by deduplication key, retrieve, update, activate,
// deactivate, delete, list) fire their task on the platform's clock, with the ScheduledTaskPayload
// the SDK documents; `fireSchedule` delivers a tick again, as the platform may.
//
// Usage: const fake = await startFakeTrigger(); set TRIGGER_SECRET_KEY=fake.secretKey and
// TRIGGER_API_URL=fake.url; then `await fake.load(() => import("@/trigger/my-task"))`.

type WaitpointResult = { ok: boolean; output?: string; outputType?: string };
type Waitpoint = {
  id: string;
  kind: "DURATION" | "MANUAL";
  result: WaitpointResult | null;
  idempotencyKey?: string;
  cancelTimer?: () => void;
  waiters: { runId: string; resolve: (result: WaitpointResult) => void }[];
};
export type FakeTaskRun = {
  id: string;
  taskId: string;
  payload: unknown;
  idempotencyKey?: string;
  tags: string[];
  status: "QUEUED" | "EXECUTING" | "WAITING" | "COMPLETED" | "FAILED" | "CANCELED";
  attempts: number;
  output?: unknown;
  error?: string;
  abort: AbortController;
  finished: Promise<void>;
};
export type FakeSchedule = {
  id: string;
  task: string;
  cron: string;
  timezone: string;
  externalId?: string;
  deduplicationKey: string;
  active: boolean;
  lastTimestamp?: Date;
  cancelTimer?: () => void;
};
export type RecordedTriggerCall = { method: string; path: string; body: unknown };
type RuntimeManager = NonNullable<NonNullable<Parameters<typeof runInMockTaskContext>[1]>["runtimeManager"]>;

const MAX_ATTEMPTS = 3;
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The platform's clock: real time unless a test hands its own, to move time forward. */
export type FakeClock = { now(): Date; at(at: Date, fn: () => void): () => void };
const realClock: FakeClock = {
  now: () => new Date(),
  at(at, fn) {
    const timer = setTimeout(fn, Math.max(0, at.getTime() - Date.now()));
    return () => clearTimeout(timer);
  },
};

/** "30s", "10m", "1h", "2d", "1w", or an ISO date: the instant a token times out. */
function timeoutAt(value: unknown, clock: FakeClock): Date | null {
  if (typeof value !== "string") return null;
  const period = /^(\d+)([smhdw])$/.exec(value);
  if (period) return new Date(clock.now().getTime() + Number(period[1]) * UNITS[period[2]!]!);
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

let catalogInstalled = false;
/** Task files register into the resource catalog when imported; it must exist before. */
function installCatalog() {
  if (catalogInstalled) return;
  resourceCatalog.setGlobalResourceCatalog(new StandardResourceCatalog());
  resourceCatalog.setCurrentFileContext("trigger/fake.ts", "fake");
  catalogInstalled = true;
}

export async function startFakeTrigger(options: { port?: number; secretKey?: string; clock?: FakeClock } = {}) {
  const clock = options.clock ?? realClock;
  const secretKey = options.secretKey ?? `tr_dev_${randomBytes(12).toString("hex")}`;
  const taskRuns = new Map<string, FakeTaskRun>();
  const runKeys = new Map<string, string>();
  const waitpoints = new Map<string, Waitpoint>();
  const tokenKeys = new Map<string, string>();
  const calls: RecordedTriggerCall[] = [];
  const schedules = new Map<string, FakeSchedule>();
  const scheduleKeys = new Map<string, string>();
  const currentRun = new AsyncLocalStorage<string>();
  const newId = (prefix: string) => `${prefix}_${randomBytes(10).toString("hex")}`;
  let baseUrl = "";

  // ───────────── waitpoints ─────────────

  function complete(waitpoint: Waitpoint, result: WaitpointResult) {
    if (waitpoint.result) return;
    waitpoint.result = result;
    waitpoint.cancelTimer?.();
    for (const waiter of waitpoint.waiters.splice(0)) {
      const run = taskRuns.get(waiter.runId);
      if (run?.status === "CANCELED") continue;
      if (run) run.status = "EXECUTING";
      waiter.resolve(result);
    }
  }

  function createWaitpoint(kind: Waitpoint["kind"], completesAt: Date | null, idempotencyKey?: string): Waitpoint {
    const waitpoint: Waitpoint = { id: newId("waitpoint"), kind, result: null, waiters: [], ...(idempotencyKey ? { idempotencyKey } : {}) };
    waitpoints.set(waitpoint.id, waitpoint);
    if (completesAt) {
      const result: WaitpointResult =
        kind === "DURATION"
          ? { ok: true }
          : {
              ok: false,
              output: JSON.stringify({ code: "TRIGGER_WAITPOINT_TIMEOUT", message: `Waitpoint timed out at ${completesAt.toISOString()}` }),
              outputType: "application/json",
            };
      waitpoint.cancelTimer = clock.at(completesAt, () => complete(waitpoint, result));
    }
    return waitpoint;
  }

  /** What the platform does while a task waits: park it until the waitpoint completes. */
  const runtimeManager: RuntimeManager = {
    disable() {},
    waitForWaitpoint({ waitpointFriendlyId }) {
      const waitpoint = waitpoints.get(waitpointFriendlyId);
      if (!waitpoint) return Promise.reject(new Error(`fake Trigger.dev: unknown waitpoint ${waitpointFriendlyId}`));
      if (waitpoint.result) return Promise.resolve(waitpoint.result);
      const runId = currentRun.getStore() ?? "";
      const run = taskRuns.get(runId);
      // A cancel that arrived before the task parked is final, as on the platform.
      if (run && run.status !== "CANCELED") run.status = "WAITING";
      return new Promise((resolve) => waitpoint.waiters.push({ runId, resolve }));
    },
    waitForTask: () => Promise.reject(new Error("fake Trigger.dev: triggerAndWait is not supported")),
    waitForBatch: () => Promise.reject(new Error("fake Trigger.dev: batchTriggerAndWait is not supported")),
  };

  // ───────────── task execution ─────────────

  // One mock task context for the platform's lifetime; its run id follows each task run.
  let stopContext: () => void = () => {};
  const context = await new Promise<{ ctx: Parameters<Parameters<typeof runInMockTaskContext>[0]>[0]["ctx"] }>((ready) => {
    void runInMockTaskContext(
      (drivers) =>
        new Promise<void>((stop) => {
          stopContext = stop;
          ready({ ctx: drivers.ctx });
        }),
      { runtimeManager, ctx: { run: { id: "run_idle" } } },
    );
  });
  Object.defineProperty(context.ctx.run, "id", { get: () => currentRun.getStore() ?? "run_idle", enumerable: true });

  async function execute(run: FakeTaskRun) {
    const task = resourceCatalog.getTask(run.taskId);
    if (!task) {
      run.status = "FAILED";
      run.error = `no task with id "${run.taskId}" is loaded`;
      return;
    }
    const ctx = { ...context.ctx, run: { ...context.ctx.run, id: run.id } };
    // Read through a function: a cancel can change the status while the task awaits.
    const cancelled = () => run.status === "CANCELED";
    let lastError: unknown;
    while (run.attempts < MAX_ATTEMPTS) {
      run.attempts++;
      run.status = "EXECUTING";
      try {
        run.output = await currentRun.run(run.id, () => task.fns.run(run.payload, { ctx, signal: run.abort.signal, init: undefined }));
        if (!cancelled()) run.status = "COMPLETED";
        return;
      } catch (error) {
        if (cancelled()) return;
        lastError = error;
      }
    }
    run.status = "FAILED";
    run.error = lastError instanceof Error ? lastError.message : String(lastError);
    const onFailure = lifecycleHooks.getTaskFailureHook(run.taskId);
    await currentRun.run(run.id, () =>
      onFailure?.({ payload: run.payload, error: lastError, ctx, task: run.taskId, signal: run.abort.signal, init: undefined }),
    );
  }

  function startTaskRun(taskId: string, payload: unknown, tags: string[], idempotencyKey?: string): FakeTaskRun {
    const run = {
      id: newId("run"),
      taskId,
      payload,
      tags,
      status: "QUEUED",
      attempts: 0,
      abort: new AbortController(),
      ...(idempotencyKey ? { idempotencyKey } : {}),
    } as FakeTaskRun;
    taskRuns.set(run.id, run);
    if (idempotencyKey) runKeys.set(`${taskId}:${idempotencyKey}`, run.id);
    // Dequeued right after the response, as a worker would pick it up.
    run.finished = new Promise<void>((resolve) => setImmediate(resolve)).then(() => execute(run));
    return run;
  }

  // ───────────── schedules ─────────────

  const cronOf = (schedule: Pick<FakeSchedule, "cron" | "timezone">) => new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });

  function scheduleObject(schedule: FakeSchedule) {
    const nextRun = schedule.active ? cronOf(schedule).nextRun(clock.now()) : null;
    return {
      id: schedule.id,
      type: "IMPERATIVE",
      task: schedule.task,
      active: schedule.active,
      deduplicationKey: schedule.deduplicationKey,
      externalId: schedule.externalId ?? null,
      generator: { type: "CRON", expression: schedule.cron, description: schedule.cron },
      timezone: schedule.timezone,
      nextRun: nextRun?.toISOString() ?? null,
      environments: [{ id: "env_fake", type: "DEVELOPMENT", userName: null }],
    };
  }

  /** Runs the schedule's task for one tick, with the payload Trigger.dev hands a scheduled task. */
  function fireSchedule(schedule: FakeSchedule, timestamp: Date): FakeTaskRun {
    const payload = {
      scheduleId: schedule.id,
      type: "IMPERATIVE",
      timestamp,
      ...(schedule.lastTimestamp ? { lastTimestamp: schedule.lastTimestamp } : {}),
      ...(schedule.externalId ? { externalId: schedule.externalId } : {}),
      timezone: schedule.timezone,
      upcoming: cronOf(schedule).nextRuns(5, timestamp),
    };
    schedule.lastTimestamp = timestamp;
    return startTaskRun(schedule.task, payload, [`schedule_${schedule.id}`]);
  }

  /** Arms the timer for the schedule's next tick (the platform does not backfill ticks it missed). */
  function arm(schedule: FakeSchedule) {
    schedule.cancelTimer?.();
    schedule.cancelTimer = undefined;
    if (!schedule.active) return;
    const next = cronOf(schedule).nextRun(clock.now());
    if (!next) return;
    schedule.cancelTimer = clock.at(next, () => {
      if (schedules.get(schedule.id) !== schedule || !schedule.active) return;
      fireSchedule(schedule, next);
      arm(schedule);
    });
  }

  /** What the platform checks: a task id, five cron fields (minute resolution), a zone it knows. */
  function scheduleProblem(body: Record<string, unknown>, needKey: boolean): string | null {
    if (typeof body.task !== "string" || !body.task) return "task is required";
    if (typeof body.cron !== "string" || body.cron.trim().split(/\s+/).length !== 5)
      return "cron must have 5 fields (minute hour day-of-month month day-of-week)";
    if (needKey && (typeof body.deduplicationKey !== "string" || !body.deduplicationKey)) return "deduplicationKey is required";
    try {
      cronOf({ cron: body.cron, timezone: typeof body.timezone === "string" ? body.timezone : "UTC" }).nextRun();
    } catch (error) {
      return `Invalid cron or timezone: ${error instanceof Error ? error.message : String(error)}`;
    }
    return null;
  }

  function scheduleCall(method: string, id: string | undefined, verb: string | undefined, body: Record<string, unknown>): [number, unknown] {
    if (!id && method === "POST") {
      const problem = scheduleProblem(body, true);
      if (problem) return [422, { error: problem }];
      const known = schedules.get(scheduleKeys.get(body.deduplicationKey as string) ?? "");
      // The same deduplication key updates the schedule instead of making a second one.
      const schedule: FakeSchedule = known ?? {
        id: newId("sched"),
        deduplicationKey: body.deduplicationKey as string,
        active: true,
        task: "",
        cron: "",
        timezone: "UTC",
      };
      Object.assign(schedule, { task: body.task, cron: body.cron, timezone: (body.timezone as string | undefined) ?? "UTC" });
      if (typeof body.externalId === "string") schedule.externalId = body.externalId;
      schedules.set(schedule.id, schedule);
      scheduleKeys.set(schedule.deduplicationKey, schedule.id);
      arm(schedule);
      return [200, scheduleObject(schedule)];
    }
    if (!id && method === "GET") {
      const all = [...schedules.values()].map(scheduleObject);
      return [200, { data: all, pagination: { currentPage: 1, totalPages: 1, count: all.length } }];
    }
    const schedule = schedules.get(id ?? "");
    if (!schedule) return [404, { error: "Schedule not found" }];
    if (verb && method === "POST") {
      schedule.active = verb === "activate";
      arm(schedule);
      return [200, scheduleObject(schedule)];
    }
    if (method === "GET") return [200, scheduleObject(schedule)];
    if (method === "PUT") {
      const problem = scheduleProblem(body, false);
      if (problem) return [422, { error: problem }];
      Object.assign(schedule, { task: body.task, cron: body.cron, timezone: (body.timezone as string | undefined) ?? "UTC" });
      if (typeof body.externalId === "string") schedule.externalId = body.externalId;
      arm(schedule);
      return [200, scheduleObject(schedule)];
    }
    if (method === "DELETE") {
      schedule.cancelTimer?.();
      schedules.delete(schedule.id);
      scheduleKeys.delete(schedule.deduplicationKey);
      return [200, { id: schedule.id }];
    }
    return [405, { error: `fake Trigger.dev has no ${method} on a schedule` }];
  }

  // ───────────── HTTP API ─────────────

  async function handle(method: string, path: string, body: Record<string, unknown>): Promise<[number, unknown]> {
    let match: RegExpExecArray | null;
    if (method === "POST" && (match = /^\/api\/v1\/tasks\/([^/]+)\/trigger$/.exec(path))) {
      const taskId = decodeURIComponent(match[1]!);
      const opts = (body.options ?? {}) as { idempotencyKey?: string; tags?: string[] | string; payloadType?: string };
      const known = opts.idempotencyKey ? runKeys.get(`${taskId}:${opts.idempotencyKey}`) : undefined;
      if (known) return [200, { id: known, isCached: true }];
      const payload = await parsePacket({ data: body.payload as string, dataType: opts.payloadType ?? "application/json" });
      const tags = Array.isArray(opts.tags) ? opts.tags : opts.tags ? [opts.tags] : [];
      const run = startTaskRun(taskId, payload, tags, opts.idempotencyKey);
      return [200, { id: run.id, isCached: false }];
    }
    const scheduleMatch = /^\/api\/v1\/schedules(?:\/([^/]+))?(?:\/(activate|deactivate))?$/.exec(path);
    if (scheduleMatch) return scheduleCall(method, scheduleMatch[1], scheduleMatch[2], body);
    if (method === "POST" && (match = /^\/api\/v2\/runs\/([^/]+)\/cancel$/.exec(path))) {
      const run = taskRuns.get(match[1]!);
      if (!run) return [404, { error: "Run not found" }];
      if (run.status !== "COMPLETED" && run.status !== "FAILED") {
        run.status = "CANCELED";
        run.abort.abort();
      }
      return [200, { id: run.id }];
    }
    if (method === "POST" && (match = /^\/engine\/v1\/runs\/([^/]+)\/wait\/duration$/.exec(path))) {
      const date = new Date(String(body.date));
      if (Number.isNaN(date.getTime())) return [400, { error: "date is required" }];
      const waitpoint = createWaitpoint("DURATION", date);
      return [200, { waitUntil: date.toISOString(), waitpoint: { id: waitpoint.id } }];
    }
    if (method === "POST" && (match = /^\/engine\/v1\/runs\/([^/]+)\/waitpoints\/tokens\/([^/]+)\/wait$/.exec(path))) {
      return [waitpoints.has(match[2]!) ? 200 : 404, { success: waitpoints.has(match[2]!) }];
    }
    if (method === "POST" && path === "/api/v1/waitpoints/tokens") {
      const key = typeof body.idempotencyKey === "string" ? body.idempotencyKey : undefined;
      const cached = key ? waitpoints.get(tokenKeys.get(key) ?? "") : undefined;
      const waitpoint = cached ?? createWaitpoint("MANUAL", timeoutAt(body.timeout, clock), key);
      if (key) tokenKeys.set(key, waitpoint.id);
      const hash = createHash("sha256").update(`${secretKey}:${waitpoint.id}`).digest("hex").slice(0, 32);
      return [200, { id: waitpoint.id, isCached: Boolean(cached), url: `${baseUrl}/api/v1/waitpoints/tokens/${waitpoint.id}/callback/${hash}` }];
    }
    if (method === "POST" && (match = /^\/api\/v1\/waitpoints\/tokens\/([^/]+)\/complete$/.exec(path))) {
      const waitpoint = waitpoints.get(match[1]!);
      if (!waitpoint || waitpoint.kind !== "MANUAL") return [404, { error: "Waitpoint not found" }];
      // Completing an already completed token changes nothing and still succeeds.
      complete(waitpoint, { ok: true, output: JSON.stringify(body.data ?? null), outputType: "application/json" });
      return [200, { success: true }];
    }
    return [404, { error: `fake Trigger.dev has no ${method} ${path}` }];
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://fake").pathname;
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== `Bearer ${secretKey}`) return reply(401, { error: "Invalid API Key" });
      let body: Record<string, unknown> = {};
      try {
        body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : {};
      } catch {
        return reply(400, { error: "Invalid JSON" });
      }
      calls.push({ method: req.method ?? "GET", path, body });
      handle(req.method ?? "GET", path, body).then(
        ([status, payload]) => reply(status, payload),
        (error: unknown) => reply(500, { error: String(error) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  installCatalog();

  return {
    url: baseUrl,
    secretKey,
    calls,
    runs: taskRuns,
    schedules,
    /** Delivers a tick of a schedule (again), as the platform may after a failure; settles when its task run has. */
    async fireSchedule(id: string, timestamp: Date) {
      const schedule = schedules.get(id);
      if (!schedule) throw new Error(`fake Trigger.dev: no schedule ${id}`);
      await fireSchedule(schedule, timestamp).finished;
    },
    /** Imports task files into the platform's catalog (after the platform started, so their hooks register). */
    async load(importTasks: () => Promise<unknown>) {
      await importTasks();
    },
    /** Settles once every task run triggered so far has completed, failed or been cancelled. */
    async idle() {
      await Promise.all([...taskRuns.values()].filter((run) => run.status !== "CANCELED").map((run) => run.finished));
    },
    async close() {
      for (const waitpoint of waitpoints.values()) waitpoint.cancelTimer?.();
      for (const schedule of schedules.values()) schedule.cancelTimer?.();
      for (const run of taskRuns.values()) run.abort.abort();
      stopContext();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeTrigger = Awaited<ReturnType<typeof startFakeTrigger>>;
