import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeResend, type FakeResend } from "@/fakes/resend/server";
import { catalog } from "@/lib/catalog";
import { closeDatabase, setDatabase } from "@/lib/db";
import { inboundAddress } from "@/lib/triggers/email-receiver";
import { IntakeLimiter, intakeLimiter, setIntakeLimiter } from "@/lib/triggers/intake-limit";
import { rotateWebhookSecret } from "@/lib/triggers/webhook";
import { createWorkflow, publishWorkflow, setWorkflowEnabled } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { ManualClock } from "../support/clock";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { setFakeResendEnv, setTestEnv } from "../support/env";
import { callRoute, jsonOf } from "../support/routes";
import { seedCompany } from "../support/seed";
import { signedWebhookHeaders } from "../support/webhook";

// A flood of deliveries to one workflow through the real route handlers, on the test's database:
// over its bucket each is answered 429 with Retry-After and nothing of it is kept; everything
// answered 202 has exactly one run; the history says how many were refused in at most one row
// per second; the bucket refills with time (a clock the test moves); other workflows go on.

let database: TestDatabase;
let fake: FakeResend;
let restoreEnv: () => void;
let owner: Awaited<ReturnType<typeof seedCompany>>["owner"];
let key: string;
let clock: ManualClock;
let limiter: IntakeLimiter;
const DOMAIN = "in.limit.test";

beforeAll(async () => {
  fake = await startFakeResend();
  restoreEnv = setFakeResendEnv(fake, DOMAIN);
  database = await openTestDatabase();
  setDatabase(database);
  ({ owner, key } = await seedCompany(database.prisma, "Flooded"));
}, 60_000);
beforeEach(() => {
  clock = new ManualClock();
  limiter = new IntakeLimiter({ ratePerSecond: 5, burst: 10 }, clock);
  setIntakeLimiter(limiter);
});
afterAll(async () => {
  setIntakeLimiter(undefined);
  restoreEnv();
  setTestEnv({ FLOWLINE_INTAKE_RATE: undefined, FLOWLINE_INTAKE_BURST: undefined });
  await closeDatabase();
  await fake.close();
});

async function enabled(trigger: { type: string; config: Record<string, unknown> }) {
  const def = { ...definition([node("a")], ["trigger→a"]), trigger };
  const workflow = await createWorkflow(database.prisma, catalog, owner, { name: `flood ${randomBytes(3).toString("hex")}`, definition: def });
  await publishWorkflow(database.prisma, catalog, owner, workflow.id);
  await setWorkflowEnabled(database.prisma, catalog, owner, workflow.id, true);
  return workflow.id;
}

async function hook() {
  const id = await enabled({ type: "webhook", config: {} });
  const { secret } = await rotateWebhookSecret(database.prisma, owner, id);
  return { id, secret };
}

type Delivery = { id: string; body: string; headers: Record<string, string> };
const delivery = (secret: string, n: number): Delivery => {
  const body = JSON.stringify({ n });
  const id = `msg_${randomBytes(6).toString("hex")}`;
  return { id, body, headers: signedWebhookHeaders(secret, body, { id }) };
};
const post = (workflowId: string, d: Delivery) => callRoute("POST", `/api/hooks/${workflowId}`, { rawBody: d.body, headers: d.headers });

type Answer = { status: number; retryAfter: string | null; body: { runIds?: string[]; error?: { code: string; message: string; remediation?: string } } };
async function answer(response: Response): Promise<Answer> {
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await jsonOf(response)) as Answer["body"] };
}

const runsOf = (workflowId: string) => database.prisma.workflowRun.findMany({ where: { workflowId } });
const rows = (workflowId: string, status: "accepted" | "rejected") =>
  database.prisma.inboundEvent.findMany({ where: { workflowId, status }, orderBy: { receivedAt: "asc" } });

/** Every run of the workflow belongs to a different accepted event, one each. */
async function expectOneRunPerAcceptedEvent(workflowId: string, runIdsAnswered: string[]) {
  const [runs, accepted] = await Promise.all([runsOf(workflowId), rows(workflowId, "accepted")]);
  expect(runs.map((r) => r.id).sort()).toEqual([...runIdsAnswered].sort());
  expect(new Set(runs.map((r) => r.correlationId)).size).toBe(runs.length);
  expect(accepted.map((e) => e.id).sort()).toEqual(runs.map((r) => r.correlationId).sort());
  expect(accepted.every((e) => e.matchedRunIds.length === 1)).toBe(true);
}

describe("webhook flood", () => {
  it("answers the burst beyond the bucket 429 with Retry-After, keeps nothing of them, and takes them again once the bucket refills", async () => {
    const flooded = await hook();
    const calm = await hook();
    const burst = Array.from({ length: 25 }, (_, n) => delivery(flooded.secret, n));
    const [floodAnswers, calmAnswers] = await Promise.all([
      Promise.all(burst.map(async (d) => answer(await post(flooded.id, d)))),
      Promise.all(Array.from({ length: 5 }, async (_, n) => answer(await post(calm.id, delivery(calm.secret, n))))),
    ]);

    expect(calmAnswers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(floodAnswers.filter((a) => a.status === 202)).toHaveLength(10);
    const refused = floodAnswers.flatMap((a, i) => (a.status === 429 ? [burst[i]!] : []));
    expect(refused).toHaveLength(15);
    for (const a of floodAnswers.filter((a) => a.status === 429)) {
      expect(a.retryAfter).toBe("1");
      expect(a.body.error).toMatchObject({ code: "rate_limited", message: expect.stringMatching(/at most 5 deliveries per second/) });
      expect(a.body.error?.remediation).toMatch(/after 1 s/);
    }
    const taken = floodAnswers.flatMap((a) => a.body.runIds ?? []);
    await expectOneRunPerAcceptedEvent(flooded.id, taken);
    await expectOneRunPerAcceptedEvent(
      calm.id,
      calmAnswers.flatMap((a) => a.body.runIds ?? []),
    );
    expect(await rows(calm.id, "rejected")).toHaveLength(0);

    // One history row for the second, counted up when the second ends.
    expect(await rows(flooded.id, "rejected")).toHaveLength(1);
    clock.advance(1_000);
    await limiter.flush(database.prisma);
    const history = await callRoute("GET", `/api/v1/workflows/${flooded.id}/trigger/events?limit=50`, { key });
    const { events } = (await jsonOf(history)) as { events: { status: string; reason: string; payload: { refused?: number } }[] };
    const refusals = events.filter((e) => e.status === "rejected");
    expect(refusals).toHaveLength(1);
    expect(refusals[0]!.reason).toMatch(/^Rate limited: 15 deliveries refused/);
    expect(refusals[0]!.payload.refused).toBe(15);

    // A second later five tokens are back: five of the sender's retries are taken, ten refused again (a new row).
    const retried = await Promise.all(refused.map(async (d) => answer(await post(flooded.id, d))));
    expect(retried.filter((a) => a.status === 202)).toHaveLength(5);
    expect(retried.filter((a) => a.status === 429)).toHaveLength(10);
    await limiter.flush(database.prisma);
    const second = await rows(flooded.id, "rejected");
    expect(second.map((e) => e.reason?.match(/\d+ deliver/)?.[0])).toEqual(["15 deliver", "10 deliver"]);

    clock.advance(2_000);
    const last = refused.filter((_, i) => retried[i]!.status === 429);
    const finalAnswers = await Promise.all(last.map(async (d) => answer(await post(flooded.id, d))));
    expect(finalAnswers.map((a) => a.status)).toEqual(Array(10).fill(202));
    // Every delivery of the burst ended with exactly one run, none twice.
    await expectOneRunPerAcceptedEvent(flooded.id, [
      ...taken,
      ...retried.flatMap((a) => a.body.runIds ?? []),
      ...finalAnswers.flatMap((a) => a.body.runIds ?? []),
    ]);
    expect(await runsOf(flooded.id)).toHaveLength(25);
    expect(await rows(flooded.id, "rejected")).toHaveLength(2);
  });

  it("bounds a flood of forged calls too, before they are verified or recorded one by one", async () => {
    const flooded = await hook();
    const forged = Array.from({ length: 40 }, (_, n) => delivery(`whsec_${randomBytes(32).toString("base64")}`, n));
    const answers = await Promise.all(forged.map(async (d) => (await post(flooded.id, d)).status));
    expect(answers.filter((s) => s === 401)).toHaveLength(10);
    expect(answers.filter((s) => s === 429)).toHaveLength(30);
    await limiter.flush(database.prisma);
    const rejected = await rows(flooded.id, "rejected");
    // ten signature refusals, one line for the thirty rate-limited calls
    expect(rejected).toHaveLength(11);
    expect(rejected.filter((e) => e.reason?.startsWith("Rate limited: 30 deliveries"))).toHaveLength(1);
  });

  it("takes its limits from FLOWLINE_INTAKE_RATE and FLOWLINE_INTAKE_BURST, 50/s and 100 when unset", () => {
    setIntakeLimiter(undefined);
    setTestEnv({ FLOWLINE_INTAKE_RATE: undefined, FLOWLINE_INTAKE_BURST: undefined });
    expect(intakeLimiter().limits).toEqual({ ratePerSecond: 50, burst: 100 });
    setIntakeLimiter(undefined);
    setTestEnv({ FLOWLINE_INTAKE_RATE: "2.5", FLOWLINE_INTAKE_BURST: "7" });
    expect(intakeLimiter().limits).toEqual({ ratePerSecond: 2.5, burst: 7 });
  });
});

describe("inbound email flood", () => {
  const deliver = (webhook: { body: string; headers: Record<string, string> }) =>
    callRoute("POST", "/api/inbound/resend", { rawBody: webhook.body, headers: webhook.headers });

  it("refuses the emails beyond the bucket with 429, and Resend's redeliveries start each once; a co-addressed workflow starts once", async () => {
    const flooded = await enabled({ type: "email.inbound", config: {} });
    const alsoAddressed = await enabled({ type: "email.inbound", config: {} });
    const emails = Array.from({ length: 12 }, (_, n) =>
      fake.receive({ from: "a@supplier.example", to: [inboundAddress(flooded, DOMAIN)], subject: `Order ${n}`, text: "hello" }),
    );
    const answers = await Promise.all(emails.map(async (email) => answer(await deliver(email))));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(10);
    const refused = answers.flatMap((a, i) => (a.status === 429 ? [emails[i]!] : []));
    expect(refused).toHaveLength(2);
    expect(answers.filter((a) => a.status === 429).every((a) => a.retryAfter === "1" && a.body.error?.code === "rate_limited")).toBe(true);

    // Still flooded: an email to both is taken by the workflow with tokens, and answered 429 for the other.
    const both = fake.receive({
      from: "a@supplier.example",
      to: [inboundAddress(flooded, DOMAIN), inboundAddress(alsoAddressed, DOMAIN)],
      subject: "Both",
      text: "x",
    });
    expect((await deliver(both)).status).toBe(429);
    expect(await runsOf(alsoAddressed)).toHaveLength(1);

    clock.advance(1_000);
    const redelivered = await Promise.all(
      [...refused, both].map(async (email) => (await deliver({ body: email.body, headers: fake.signedHeaders(email.body) })).status),
    );
    expect(redelivered).toEqual([202, 202, 202]);
    expect(await runsOf(flooded)).toHaveLength(13);
    expect(await runsOf(alsoAddressed)).toHaveLength(1);
    await limiter.flush(database.prisma);
    expect((await rows(flooded, "rejected")).map((e) => e.reason?.match(/^Rate limited: \d+/)?.[0])).toEqual(["Rate limited: 3"]);
  });
});
