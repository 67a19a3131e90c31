import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeTrigger, type FakeTrigger } from "@/fakes/trigger/server";
import { closeDatabase, setDatabase } from "@/lib/db";
import { createWorkflow, publishWorkflow, setWorkflowEnabled, updateWorkflow } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { testClock } from "../support/clock";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { setTestEnv } from "../support/env";
import { seedCompany } from "../support/seed";
import { testCatalog } from "../support/test-nodes";

// Schedules on the Trigger.dev host (the serverless deployment, where no process of ours ticks):
// each enabled schedule is a Trigger.dev imperative schedule attached to the workflow-schedule
// task, made through the real SDK against the fake platform, which fires the task on the test
// clock; the task starts the run through the intake, and the workflow-runner task executes it.

let database: TestDatabase;
let fake: FakeTrigger;
let owner: Awaited<ReturnType<typeof seedCompany>>["owner"];

beforeAll(async () => {
  database = await openTestDatabase();
  setDatabase(database);
  fake = await startFakeTrigger({ clock: testClock });
  setTestEnv({ TRIGGER_SECRET_KEY: fake.secretKey, TRIGGER_API_URL: fake.url, LOG_LEVEL: "fatal" });
  await fake.load(() => Promise.all([import("../support/test-workflow-runner"), import("../support/test-schedule-task")]));
  ({ owner } = await seedCompany(database.prisma, "Serverless"));
}, 60_000);
afterAll(async () => {
  await fake.close();
  setTestEnv({ TRIGGER_SECRET_KEY: undefined, TRIGGER_API_URL: undefined });
  await closeDatabase();
});

const withSchedule = (cron: string, timezone = "UTC") => ({
  ...definition([node("a")], ["trigger→a"]),
  trigger: { type: "schedule", config: { cron, timezone } },
});

async function scheduled(cron: string, timezone = "UTC") {
  const workflow = await createWorkflow(database.prisma, testCatalog, owner, {
    name: `tick ${randomBytes(3).toString("hex")}`,
    definition: withSchedule(cron, timezone),
  });
  await publishWorkflow(database.prisma, testCatalog, owner, workflow.id);
  await setWorkflowEnabled(database.prisma, testCatalog, owner, workflow.id, true);
  return workflow.id;
}

const scheduleOf = (workflowId: string) => [...fake.schedules.values()].find((s) => s.externalId === workflowId);
const runsOf = (workflowId: string) => database.prisma.workflowRun.findMany({ where: { workflowId }, orderBy: { createdAt: "asc" } });
const settled = async (workflowId: string) => {
  await fake.idle();
  return runsOf(workflowId);
};

describe("schedules on the Trigger.dev host", () => {
  it("enabling registers one imperative schedule for the workflow, with its cron, zone and a deduplication key", async () => {
    const id = await scheduled("0 9 * * 1-5", "Europe/Rome");
    const schedule = scheduleOf(id)!;
    expect(schedule).toMatchObject({
      task: "workflow-schedule",
      cron: "0 9 * * 1-5",
      timezone: "Europe/Rome",
      active: true,
      deduplicationKey: `flowline-workflow-${id}`,
    });
    expect((await database.prisma.workflow.findUniqueOrThrow({ where: { id } })).triggerScheduleId).toBe(schedule.id);
    // enabling again, or publishing what is published, keeps the one schedule
    await setWorkflowEnabled(database.prisma, testCatalog, owner, id, true);
    await publishWorkflow(database.prisma, testCatalog, owner, id);
    expect([...fake.schedules.values()].filter((s) => s.externalId === id)).toHaveLength(1);
  });

  it("a tick fired by Trigger.dev starts one run through the intake, and the same tick delivered again starts none", async () => {
    const id = await scheduled("*/5 * * * *");
    const schedule = scheduleOf(id)!;
    const tick = new Date(Math.ceil((testClock.now().getTime() + 1) / 300_000) * 300_000);
    testClock.advance(tick.getTime() - testClock.now().getTime() + 10);
    await expect.poll(async () => (await runsOf(id)).map((run) => run.status), { timeout: 15_000 }).toEqual(["succeeded"]);
    const [run] = await runsOf(id);
    expect(run).toMatchObject({ triggerType: "schedule", status: "succeeded", triggerPayload: expect.objectContaining({ scheduledAt: tick.toISOString() }) });
    await fake.fireSchedule(schedule.id, tick);
    expect(await settled(id)).toHaveLength(1);
    const ledger = await database.prisma.inboundEvent.findMany({ where: { workflowId: id, source: "schedule" } });
    expect(ledger.map((e) => e.externalId)).toEqual([`${id}@${tick.toISOString()}`]);
  });

  it("a changed cron updates the same schedule when published; disabling deletes it; enabling makes it again", async () => {
    const id = await scheduled("0 9 * * *");
    const before = scheduleOf(id)!.id;
    await updateWorkflow(database.prisma, testCatalog, owner, id, { definition: withSchedule("30 18 * * *", "Europe/Rome") });
    expect(scheduleOf(id)!.cron).toBe("0 9 * * *");
    await publishWorkflow(database.prisma, testCatalog, owner, id);
    expect(scheduleOf(id)).toMatchObject({ id: before, cron: "30 18 * * *", timezone: "Europe/Rome" });
    expect(fake.calls.some((call) => call.method === "PUT" && call.path === `/api/v1/schedules/${before}`)).toBe(true);

    await setWorkflowEnabled(database.prisma, testCatalog, owner, id, false);
    expect(scheduleOf(id)).toBeUndefined();
    expect((await database.prisma.workflow.findUniqueOrThrow({ where: { id } })).triggerScheduleId).toBeNull();
    await setWorkflowEnabled(database.prisma, testCatalog, owner, id, true);
    expect(scheduleOf(id)).toMatchObject({ cron: "30 18 * * *", active: true });
  });

  it("publishing another kind of trigger deletes the schedule", async () => {
    const id = await scheduled("0 9 * * *");
    await publishWorkflow(database.prisma, testCatalog, owner, id, {
      definition: { ...definition([node("a")], ["trigger→a"]), trigger: { type: "manual", config: {} } },
    });
    expect(scheduleOf(id)).toBeUndefined();
  });

  it("refuses a six-field cron at publish, saying why, and registers nothing", async () => {
    const workflow = await createWorkflow(database.prisma, testCatalog, owner, { name: "seconds", definition: withSchedule("*/10 * * * * *") });
    const refused = await publishWorkflow(database.prisma, testCatalog, owner, workflow.id).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "validation_failed", status: 422 });
    const issue = (refused as { issues: { path: string[]; message: string }[] }).issues[0]!;
    expect(issue.path).toEqual(["definition", "trigger", "config", "cron"]);
    expect(issue.message).toMatch(/Trigger\.dev.*minute resolution.*five fields/);
    expect((await database.prisma.workflow.findUniqueOrThrow({ where: { id: workflow.id } })).publishedVersionId).toBeNull();
    expect(scheduleOf(workflow.id)).toBeUndefined();
  });

  it("a schedule left behind by a deleted workflow starts nothing and removes itself", async () => {
    const id = await scheduled("0 9 * * *");
    const schedule = scheduleOf(id)!;
    // deleted behind Trigger.dev's back (deleting keeps the row, disabled)
    await database.prisma.workflow.update({ where: { id }, data: { deletedAt: new Date(), enabled: false } });
    await fake.fireSchedule(schedule.id, new Date("2026-06-01T09:00:00Z"));
    expect(await runsOf(id)).toHaveLength(0);
    expect(fake.schedules.has(schedule.id)).toBe(false);
  });
});
