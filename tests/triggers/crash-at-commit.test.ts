import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeResend, type FakeResend } from "@/fakes/resend/server";
import { catalog } from "@/lib/catalog";
import { closeDatabase, setDatabase } from "@/lib/db";
import { inboundAddress } from "@/lib/triggers/email-receiver";
import { rotateWebhookSecret } from "@/lib/triggers/webhook";
import { createWorkflow, publishWorkflow, setWorkflowEnabled } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { setFakeResendEnv } from "../support/env";
import { callRoute } from "../support/routes";
import { seedCompany } from "../support/seed";
import { signedWebhookHeaders } from "../support/webhook";

// The intake's promise: a failure anywhere between verifying an event and committing its runs
// leaves nothing behind, so the sender's retry starts exactly one run. The failure is real and
// as late as it can be: a deferred constraint trigger makes the database refuse the commit of the
// intake's statement, after the ledger row and the run were written.

let database: TestDatabase;
let fake: FakeResend;
let restoreEnv: () => void;
let owner: Awaited<ReturnType<typeof seedCompany>>["owner"];
const DOMAIN = "in.crash.test";

beforeAll(async () => {
  fake = await startFakeResend();
  restoreEnv = setFakeResendEnv(fake, DOMAIN, { LOG_LEVEL: "fatal" });
  database = await openTestDatabase();
  setDatabase(database);
  ({ owner } = await seedCompany(database.prisma, "Crashing"));
  await database.prisma.$executeRawUnsafe(`CREATE FUNCTION crash_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'injected: the process died at the commit'; END $$`);
}, 60_000);
afterEach(() => database.prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS crash_at_commit ON "WorkflowRun"`));
afterAll(async () => {
  restoreEnv();
  await closeDatabase();
  await fake.close();
});

/** From now on, every transaction that creates a run fails at its COMMIT. */
const failCommits = () =>
  database.prisma.$executeRawUnsafe(
    `CREATE CONSTRAINT TRIGGER crash_at_commit AFTER INSERT ON "WorkflowRun" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION crash_at_commit()`,
  );
const recover = () => database.prisma.$executeRawUnsafe(`DROP TRIGGER crash_at_commit ON "WorkflowRun"`);

async function enabled(trigger: { type: string; config: Record<string, unknown> }) {
  const def = { ...definition([node("a")], ["trigger→a"]), trigger };
  const workflow = await createWorkflow(database.prisma, catalog, owner, { name: `crash ${randomBytes(3).toString("hex")}`, definition: def });
  await publishWorkflow(database.prisma, catalog, owner, workflow.id);
  await setWorkflowEnabled(database.prisma, catalog, owner, workflow.id, true);
  return workflow.id;
}

const runsOf = (workflowId: string) => database.prisma.workflowRun.findMany({ where: { workflowId } });
const accepted = (workflowId: string) => database.prisma.inboundEvent.findMany({ where: { workflowId, status: "accepted" } });

describe("a crash between verify and commit", () => {
  it("webhook: the call fails with nothing recorded, and the sender's retry of the same delivery starts exactly one run", async () => {
    const id = await enabled({ type: "webhook", config: {} });
    const { secret } = await rotateWebhookSecret(database.prisma, owner, id);
    const body = JSON.stringify({ order: "A-7" });
    const deliveryId = `msg_${randomBytes(6).toString("hex")}`;
    const send = () => callRoute("POST", `/api/hooks/${id}`, { rawBody: body, headers: signedWebhookHeaders(secret, body, { id: deliveryId }) });

    await failCommits();
    const crashed = await send();
    expect(crashed.status).toBeGreaterThanOrEqual(500);
    expect(await runsOf(id)).toHaveLength(0);
    expect(await accepted(id)).toHaveLength(0);

    await recover();
    const retried = await send();
    expect(retried.status).toBe(202);
    expect((await send()).status).toBe(200);
    expect(await runsOf(id)).toHaveLength(1);
    expect(await accepted(id)).toHaveLength(1);
  });

  it("inbound email: Resend's redelivery of the same email after the failed commit starts exactly one run", async () => {
    const id = await enabled({ type: "email.inbound", config: {} });
    const webhook = fake.receive({ from: "a@supplier.example", to: [inboundAddress(id, DOMAIN)], subject: "Order", text: "hello" });
    const deliver = () => callRoute("POST", "/api/inbound/resend", { rawBody: webhook.body, headers: fake.signedHeaders(webhook.body) });

    await failCommits();
    expect((await deliver()).status).toBeGreaterThanOrEqual(500);
    expect(await runsOf(id)).toHaveLength(0);
    expect(await accepted(id)).toHaveLength(0);

    await recover();
    expect((await deliver()).status).toBe(202);
    expect((await deliver()).status).toBe(200);
    expect(await runsOf(id)).toHaveLength(1);
  });
});
