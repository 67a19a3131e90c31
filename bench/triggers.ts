import { randomBytes } from "node:crypto";
import { POST as webhookRoute } from "@/app/api/hooks/[id]/route";
import { POST as inboundRoute } from "@/app/api/inbound/resend/route";
import { startFakeResend } from "@/fakes/resend/server";
import type { Caller } from "@/lib/auth/roles";
import { catalog } from "@/lib/catalog";
import { closeDatabase, setDatabase } from "@/lib/db";
import { openEmbedded, openServer, type Database } from "@/lib/db/open";
import { emitEvent, EventDispatcher } from "@/lib/triggers/events";
import { IntakeLimiter, setIntakeLimiter } from "@/lib/triggers/intake-limit";
import { inboundAddress } from "@/lib/triggers/email-receiver";
import { Scheduler } from "@/lib/triggers/scheduler";
import { rotateWebhookSecret } from "@/lib/triggers/webhook";
import { EmbeddedWorker, workerDefaults } from "@/lib/workflow/hosts/embedded";
import { createWorkflow, publishWorkflow, setWorkflowEnabled } from "@/lib/workflow/store";
import { createServerDatabase } from "../tests/support/database";
import { setFakeResendEnv } from "../tests/support/env";
import { seedCompany } from "../tests/support/seed";
import { signedWebhookHeaders } from "../tests/support/webhook";
import { chain } from "./fixtures";
import { ms, summarize } from "./stats";

// Trigger → run started, per trigger (the target: p99 ≤ 1 s), and webhook intake throughput at
// 16 clients through the route handler. "Started" is the run's startedAt, set when a worker
// claims it; the worker runs as the app starts it.

type Target = { name: string; met: boolean };

async function enabledWorkflow(database: Database, owner: Caller, trigger: { type: string; config: Record<string, unknown> }) {
  const workflow = await createWorkflow(database.prisma, catalog, owner, {
    name: `bench ${trigger.type} ${randomBytes(3).toString("hex")}`,
    definition: { ...chain(2), trigger },
  });
  await publishWorkflow(database.prisma, catalog, owner, workflow.id);
  await setWorkflowEnabled(database.prisma, catalog, owner, workflow.id, true);
  return workflow.id;
}

async function startedAt(database: Database, runIds: string[]): Promise<Map<string, number>> {
  for (;;) {
    const rows = await database.prisma.workflowRun.findMany({ where: { id: { in: runIds } }, select: { id: true, startedAt: true } });
    if (rows.every((r) => r.startedAt)) return new Map(rows.map((r) => [r.id, r.startedAt!.getTime()]));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function webhookRequest(workflowId: string, secret: string, n: number) {
  const body = JSON.stringify({ n });
  return new Request(`http://bench.test/api/hooks/${workflowId}`, { method: "POST", headers: signedWebhookHeaders(secret, body), body });
}

function report(label: string, what: string, samples: number[]): Target {
  const s = summarize(samples);
  const met = s.p99 <= 1000;
  console.log(
    `[${label}] ${what} → run started: p50 ${ms(s.median)}, p99 ${ms(s.p99)}, max ${ms(s.max)} over ${s.runs} — target p99 ≤ 1 s: ${met ? "met" : "NOT met"}`,
  );
  return { name: `${label} ${what} latency`, met };
}

/** 200 deliveries one after another through a route answering `{ runIds }`: each one's call → its run started. */
async function oneAfterAnother(database: Database, label: string, what: string, deliver: (n: number) => Promise<Response>): Promise<Target> {
  const sent = new Map<string, number>();
  for (let n = 0; n < 200; n++) {
    const before = Date.now();
    const { runIds } = (await (await deliver(n)).json()) as { runIds: string[] };
    sent.set(runIds[0]!, before);
  }
  const started = await startedAt(database, [...sent.keys()]);
  return report(
    label,
    what,
    [...sent].map(([runId, at]) => started.get(runId)! - at),
  );
}

export async function benchTriggers(
  label: string,
  database: Database,
  owner: Caller,
  wanted: (name: string) => boolean,
  databaseUrl?: string,
): Promise<Target[]> {
  const results: Target[] = [];
  const worker = new EmbeddedWorker(database.prisma, { ...workerDefaults[database.kind], catalog });
  await worker.start();
  try {
    if (wanted("webhook")) {
      // What the intake itself costs, one workflow taking all the calls: no per-workflow limit in the way.
      setIntakeLimiter(new IntakeLimiter({ ratePerSecond: 1_000_000, burst: 1_000_000 }));
      const id = await enabledWorkflow(database, owner, { type: "webhook", config: {} });
      const { secret } = await rotateWebhookSecret(database.prisma, owner, id);
      results.push(await oneAfterAnother(database, label, "webhook", (n) => webhookRoute(webhookRequest(id, secret, n), { params: Promise.resolve({ id }) })));

      const CLIENTS = 16;
      const TOTAL = 2000;
      let next = 0;
      const began = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < TOTAL) {
            const n = 1000 + next++;
            await webhookRoute(webhookRequest(id, secret, n), { params: Promise.resolve({ id }) });
          }
        }),
      );
      const perSecond = TOTAL / ((performance.now() - began) / 1000);
      console.log(`[${label}] webhook intake, 16 clients in-process: ${perSecond.toFixed(0)} calls/s (each verified, recorded and a run created)`);
      setIntakeLimiter(undefined);
    }
    if (wanted("email")) {
      // Each email as Resend sends it: a signed email.received webhook (metadata only), whose
      // content the route fetches from the (local, fake) Resend through the real SDK.
      const fake = await startFakeResend();
      const restoreEnv = setFakeResendEnv(fake, "in.bench.test");
      setIntakeLimiter(new IntakeLimiter({ ratePerSecond: 1_000_000, burst: 1_000_000 }));
      try {
        const id = await enabledWorkflow(database, owner, { type: "email.inbound", config: {} });
        const email = (n: number) =>
          fake.receive({ from: "Supplier <billing@supplier.example>", to: [inboundAddress(id, "in.bench.test")], subject: `Invoice ${n}`, text: "Attached." });
        results.push(
          await oneAfterAnother(database, label, "inbound email", (n) => {
            const webhook = email(n);
            return inboundRoute(new Request("http://bench.test/api/inbound/resend", { method: "POST", headers: webhook.headers, body: webhook.body }), {});
          }),
        );
      } finally {
        setIntakeLimiter(undefined);
        restoreEnv();
        await fake.close();
      }
    }
    if (wanted("event")) {
      await enabledWorkflow(database, owner, { type: "document.completed", config: {} });
      const dispatcher = new EventDispatcher(database.prisma, catalog, databaseUrl);
      await dispatcher.start();
      const emitted = new Map<string, number>();
      for (let n = 0; n < 200; n++) {
        // in a transaction, as the change that causes it writes it: delivered at its commit
        const outboxId = await database.prisma.$transaction((tx) =>
          emitEvent(tx, {
            companyId: owner.companyId,
            type: "document.completed",
            payload: { documentId: `d${n}`, title: "x", folder: null, completedAt: new Date().toISOString(), signers: [] },
          }),
        );
        emitted.set(outboxId, Date.now());
      }
      for (;;) {
        if ((await database.prisma.eventOutbox.count({ where: { id: { in: [...emitted.keys()] }, deliveredAt: null } })) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await dispatcher.stop();
      const events = await database.prisma.inboundEvent.findMany({
        where: { externalId: { in: [...emitted.keys()] } },
        select: { externalId: true, matchedRunIds: true },
      });
      const started = await startedAt(
        database,
        events.flatMap((e) => e.matchedRunIds),
      );
      results.push(
        report(
          label,
          "document.completed",
          events.map((e) => started.get(e.matchedRunIds[0]!)! - emitted.get(e.externalId)!),
        ),
      );
    }
    if (wanted("schedule")) {
      // 20 workflows due every second for 10 s: 200 ticks, 20 falling due at the same moment.
      const ids = await Promise.all(
        Array.from({ length: 20 }, () => enabledWorkflow(database, owner, { type: "schedule", config: { cron: "* * * * * *", timezone: "UTC" } })),
      );
      const scheduler = new Scheduler(database.prisma, catalog);
      const since = Date.now();
      scheduler.start();
      await new Promise((resolve) => setTimeout(resolve, 10_500));
      scheduler.stop();
      // A tick due before the scheduler started (its first pass fires it late, by design) is not a latency.
      const runs = (await database.prisma.workflowRun.findMany({ where: { workflowId: { in: ids } }, select: { id: true, triggerPayload: true } })).filter(
        (r) => Date.parse((r.triggerPayload as { scheduledAt: string }).scheduledAt) >= since,
      );
      const started = await startedAt(
        database,
        runs.map((r) => r.id),
      );
      results.push(
        report(
          label,
          "schedule (20 workflows every second, 10 s)",
          runs.map((r) => started.get(r.id)! - Date.parse((r.triggerPayload as { scheduledAt: string }).scheduledAt)),
        ),
      );
    }
  } finally {
    await worker.stop();
  }
  return results;
}

/** Each trigger's latency on the Postgres server and on PGlite: `npm run bench -- trigger` (or `trigger email`…). */
export async function benchTriggerLatency({ wanted, databases }: { wanted: (name: string) => boolean; databases: string[] }): Promise<Target[]> {
  // "trigger" runs them all; "trigger email" only that one
  const all = (name: string) => wanted(`trigger ${name}`);
  if (!["webhook", "email", "event", "schedule"].some(all)) return [];
  const results: Target[] = [];
  for (const kind of databases) {
    const server = kind === "postgres" ? await createServerDatabase().catch(() => null) : null;
    if (kind === "postgres" && !server) {
      console.log("[postgres] no server at FLOWLINE_TEST_PG_URL: skipped");
      continue;
    }
    const database: Database = server ? await openServer(server.url) : await openEmbedded({ memory: true });
    if (server) await database.migrate();
    setDatabase(database);
    const { owner } = await seedCompany(database.prisma, `Bench${kind}`);
    results.push(...(await benchTriggers(kind, database, owner, all, server?.url)));
    await closeDatabase();
    await server?.drop();
  }
  return results;
}
