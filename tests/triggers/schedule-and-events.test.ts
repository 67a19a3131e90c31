import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog } from "@/lib/catalog";
import { closeDatabase, setDatabase } from "@/lib/db";
import { EventDispatcher, emitEvent } from "@/lib/triggers/events";
import { takeEvent } from "@/lib/triggers/intake";
import { nextFireTimes } from "@/lib/triggers/schedule";
import { Scheduler } from "@/lib/triggers/scheduler";
import { createWorkflow, publishWorkflow, setWorkflowEnabled, updateWorkflow } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { callRoute } from "../support/routes";
import { seedCompany } from "../support/seed";

// Schedules on an injected clock (no sleeping), and internal events through the outbox.

let database: TestDatabase;
let owner: Awaited<ReturnType<typeof seedCompany>>["owner"];
let key: string;

beforeAll(async () => {
  database = await openTestDatabase();
  setDatabase(database);
  ({ owner, key } = await seedCompany(database.prisma, "Ticks"));
}, 60_000);
afterAll(() => closeDatabase());

async function published(trigger: { type: string; config: Record<string, unknown> }, enabled = true) {
  const def = { ...definition([node("a")], ["trigger→a"]), trigger };
  const workflow = await createWorkflow(database.prisma, catalog, owner, { name: `wf ${randomBytes(3).toString("hex")}`, definition: def });
  await publishWorkflow(database.prisma, catalog, owner, workflow.id);
  if (enabled) await setWorkflowEnabled(database.prisma, catalog, owner, workflow.id, true);
  return workflow.id;
}

const runsOf = (workflowId: string) => database.prisma.workflowRun.findMany({ where: { workflowId }, orderBy: { createdAt: "asc" } });
/** The moment a workflow's schedule became active (its enabling), as the scheduler sees it. */
const activeSince = async (workflowId: string) => (await database.prisma.workflow.findUniqueOrThrow({ where: { id: workflowId } })).enabledAt!;
const at = (base: Date, minutes: number) => new Date(base.getTime() + minutes * 60_000);
/** The next whole 5 minutes after a moment. */
const nextFive = (from: Date) => new Date(Math.ceil((from.getTime() + 1) / 300_000) * 300_000);

describe("schedule", () => {
  it("fires once per tick, however many schedulers look, with the scheduled time in the payload", async () => {
    const id = await published({ type: "schedule", config: { cron: "*/5 * * * *", timezone: "UTC" } });
    const tick = nextFive(await activeSince(id));
    let now = at(tick, -1);
    const clock = () => now;
    const one = new Scheduler(database.prisma, catalog, clock);
    const two = new Scheduler(database.prisma, catalog, clock);
    await one.pass();
    expect(await runsOf(id)).toHaveLength(0);
    now = at(tick, 0.01);
    await Promise.all([one.pass(), two.pass(), one.pass()]);
    const runs = await runsOf(id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.triggerType).toBe("schedule");
    expect(runs[0]!.triggerPayload).toMatchObject({ scheduledAt: tick.toISOString() });
    now = at(tick, 4);
    await two.pass();
    expect(await runsOf(id)).toHaveLength(1);
  });

  it("after downtime, fires the missed ticks once (the latest), not once per tick", async () => {
    const id = await published({ type: "schedule", config: { cron: "* * * * *", timezone: "UTC" } });
    const since = await activeSince(id);
    const down = new Scheduler(database.prisma, catalog, () => at(since, 90.5));
    await down.pass();
    const runs = await runsOf(id);
    expect(runs).toHaveLength(1);
    const scheduledAt = new Date((runs[0]!.triggerPayload as { scheduledAt: string }).scheduledAt);
    expect(at(since, 90.5).getTime() - scheduledAt.getTime()).toBeLessThan(60_000);
  });

  it("does not fire while disabled, nor ticks from before it was enabled again", async () => {
    const id = await published({ type: "schedule", config: { cron: "* * * * *", timezone: "UTC" } }, false);
    const since = (await database.prisma.workflow.findUniqueOrThrow({ where: { id } })).createdAt;
    await new Scheduler(database.prisma, catalog, () => at(since, 10)).pass();
    expect(await runsOf(id)).toHaveLength(0);
    await setWorkflowEnabled(database.prisma, catalog, owner, id, true);
    const enabled = await activeSince(id);
    // a tick before enabling is not fired, even though it was never fired
    await new Scheduler(database.prisma, catalog, () => at(enabled, 0.001)).pass();
    expect((await runsOf(id)).length).toBe(0);
    await new Scheduler(database.prisma, catalog, () => at(enabled, 1.01)).pass();
    expect(await runsOf(id)).toHaveLength(1);
  });

  it("a changed cron takes effect when published", async () => {
    const id = await published({ type: "schedule", config: { cron: "0 0 1 1 *", timezone: "UTC" } });
    const changed = { ...definition([node("a")], ["trigger→a"]), trigger: { type: "schedule", config: { cron: "* * * * *", timezone: "UTC" } } };
    await updateWorkflow(database.prisma, catalog, owner, id, { definition: changed });
    const clock = at(new Date(), 1.5);
    await new Scheduler(database.prisma, catalog, () => clock).pass();
    expect(await runsOf(id)).toHaveLength(0);
    await publishWorkflow(database.prisma, catalog, owner, id);
    await new Scheduler(database.prisma, catalog, () => at(new Date(), 1.01)).pass();
    expect(await runsOf(id)).toHaveLength(1);
  });

  it("keeps to the wall clock of its zone across both daylight-saving changes (Europe/Rome)", () => {
    const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
    // 09:00 in Rome is 08:00Z in winter and 07:00Z in summer
    expect(iso(nextFireTimes({ cron: "0 9 * * *", timezone: "Europe/Rome" }, new Date("2026-03-27T00:00:00Z"), 4))).toEqual([
      "2026-03-27T08:00:00.000Z",
      "2026-03-28T08:00:00.000Z",
      "2026-03-29T07:00:00.000Z",
      "2026-03-30T07:00:00.000Z",
    ]);
    expect(iso(nextFireTimes({ cron: "0 9 * * *", timezone: "Europe/Rome" }, new Date("2026-10-24T00:00:00Z"), 3))).toEqual([
      "2026-10-24T07:00:00.000Z",
      "2026-10-25T08:00:00.000Z",
      "2026-10-26T08:00:00.000Z",
    ]);
    // 02:30 happens twice on 25 October and not at all on 29 March: once a day either way
    const autumn = nextFireTimes({ cron: "30 2 * * *", timezone: "Europe/Rome" }, new Date("2026-10-24T12:00:00Z"), 2);
    expect(iso(autumn)).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
    const spring = nextFireTimes({ cron: "30 2 * * *", timezone: "Europe/Rome" }, new Date("2026-03-28T12:00:00Z"), 2);
    expect(spring.map((d) => d.toISOString().slice(0, 10))).toEqual(["2026-03-29", "2026-03-30"]);
  });

  it("shows the next five fire times in the API, and refuses a cron or zone it cannot read", async () => {
    const id = await published({ type: "schedule", config: { cron: "0 9 * * 1-5", timezone: "Europe/Rome" } });
    const overview = (await (await callRoute("GET", `/api/v1/workflows/${id}/trigger`, { key })).json()) as { schedule: { nextFireTimes: string[] } };
    expect(overview.schedule.nextFireTimes).toHaveLength(5);
    const bad = { ...definition([node("a")], ["trigger→a"]), trigger: { type: "schedule", config: { cron: "61 * * * *", timezone: "Mars/Olympus" } } };
    const response = await callRoute("POST", "/api/v1/workflows", { key, body: { name: "bad cron", definition: bad } });
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as { error: { issues: { path: string[] }[] } };
    expect(error.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["definition.trigger.config.cron", "definition.trigger.config.timezone"]));
  });
});

describe("internal events", () => {
  it("delivers an event written in a transaction once to each matching workflow, and a redelivery starts nothing", async () => {
    const contracts = await published({ type: "document.completed", config: { folder: "Contracts" } });
    const anything = await published({ type: "document.completed", config: {} });
    const invoices = await published({ type: "document.completed", config: { folder: "Invoices" } });
    const payload = { documentId: "doc_1", title: "Supply contract", folder: "Contracts", completedAt: new Date().toISOString(), signers: [] };
    const outboxId = await database.prisma.$transaction((tx) => emitEvent(tx, { companyId: owner.companyId, type: "document.completed", payload }));
    const dispatcher = new EventDispatcher(database.prisma, catalog);
    expect(await dispatcher.pass()).toBeGreaterThanOrEqual(1);
    expect(await runsOf(contracts)).toHaveLength(1);
    expect(await runsOf(anything)).toHaveLength(1);
    expect(await runsOf(invoices)).toHaveLength(0);
    // as if the dispatcher died after the intake's commit, before marking the event delivered
    const again = await takeEvent(database.prisma, catalog, {
      companyId: owner.companyId,
      triggerType: "document.completed",
      source: "event:document.completed",
      externalId: outboxId,
      payload,
    });
    expect(again.duplicate).toBe(true);
    expect(await runsOf(contracts)).toHaveLength(1);
    expect(await dispatcher.pass()).toBe(0);
    const history = (await (await callRoute("GET", `/api/v1/workflows/${contracts}/trigger/events`, { key })).json()) as { events: { runIds: string[] }[] };
    expect(history.events).toHaveLength(1);
  });

  it("events taken together (one pass, one batch) each start only their own company's matching workflows, once", async () => {
    const { owner: other } = await seedCompany(database.prisma, "Together");
    const mine = await published({ type: "document.completed", config: { folder: "Contracts" } });
    const def = { ...definition([node("a")], ["trigger→a"]), trigger: { type: "document.completed", config: { folder: "Contracts" } } };
    const theirs = await createWorkflow(database.prisma, catalog, other, { name: "theirs", definition: def });
    await publishWorkflow(database.prisma, catalog, other, theirs.id);
    await setWorkflowEnabled(database.prisma, catalog, other, theirs.id, true);
    const completed = (folder: string) => ({ documentId: `doc_${folder}`, title: folder, folder, completedAt: new Date().toISOString(), signers: [] });
    const mineEvent = await emitEvent(database.prisma, { companyId: owner.companyId, type: "document.completed", payload: completed("Contracts") });
    await emitEvent(database.prisma, { companyId: owner.companyId, type: "document.completed", payload: completed("Invoices") });
    const theirEvent = await emitEvent(database.prisma, { companyId: other.companyId, type: "document.completed", payload: completed("Contracts") });
    expect(await new EventDispatcher(database.prisma, catalog).pass()).toBeGreaterThanOrEqual(3);
    const [myRuns, theirRuns] = [await runsOf(mine), await runsOf(theirs.id)];
    expect(myRuns.map((r) => [r.companyId, r.triggerPayload])).toEqual([[owner.companyId, expect.objectContaining({ folder: "Contracts" })]]);
    expect(theirRuns.map((r) => r.companyId)).toEqual([other.companyId]);
    const matched = async (outboxId: string) =>
      (await database.prisma.inboundEvent.findUniqueOrThrow({ where: { source_externalId: { source: "event:document.completed", externalId: outboxId } } }))
        .matchedRunIds;
    // earlier tests' workflows of this company may match too: never another company's
    const myMatched = await database.prisma.workflowRun.findMany({ where: { id: { in: await matched(mineEvent) } } });
    expect(myMatched.map((r) => r.id)).toContain(myRuns[0]!.id);
    expect(myMatched.every((r) => r.companyId === owner.companyId)).toBe(true);
    expect(await matched(theirEvent)).toEqual([theirRuns[0]!.id]);
    // the same new event ten times at once: one batch, one run, nine duplicates naming it
    const event = {
      companyId: owner.companyId,
      triggerType: "document.completed",
      source: "event:document.completed",
      externalId: `again_${randomBytes(4).toString("hex")}`,
      payload: completed("Contracts"),
    };
    const results = await Promise.all(Array.from({ length: 10 }, () => takeEvent(database.prisma, catalog, event)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const runIds = results.find((r) => !r.duplicate)!.runIds;
    expect(runIds).toContain((await runsOf(mine))[1]?.id);
    expect(results.every((r) => r.runIds.join() === runIds.join())).toBe(true);
    expect(await runsOf(mine)).toHaveLength(2);
  });

  it("an event of another company starts nothing here", async () => {
    const mine = await published({ type: "document.completed", config: {} });
    const { owner: other } = await seedCompany(database.prisma, "Elsewhere");
    await emitEvent(database.prisma, {
      companyId: other.companyId,
      type: "document.completed",
      payload: { documentId: "x", title: "x", folder: null, completedAt: new Date().toISOString(), signers: [] },
    });
    await new EventDispatcher(database.prisma, catalog).pass();
    expect(await runsOf(mine)).toHaveLength(0);
  });
});
