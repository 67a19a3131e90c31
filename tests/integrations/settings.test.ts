import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { catalog } from "@/lib/catalog";
import { setPaused } from "@/lib/credentials/store";
import { closeDatabase, setDatabase } from "@/lib/db";
import { listIntegrationCards, testConnection } from "@/lib/integrations/connections";
import { executeIntegrationAction } from "@/lib/integrations/execute";
import type { FakeSlack } from "@/fakes/slack/server";
import { connectThroughConsent } from "@/fakes/fattureincloud/contract";
import { startFakeFattureInCloud, type FakeFattureInCloud } from "@/fakes/fattureincloud/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { workflowFailure } from "../support/failure";
import { seedCompany } from "../support/seed";
import { connectSlack, createRun, renderSettingsPage, startSlackForTests, target } from "./support";

// Settings > Integrations, as a person found it: Test on a paused connection, two connections
// with the same name, and the account choice of Fatture in Cloud.

let database: TestDatabase;
let slack: FakeSlack;
let fic: FakeFattureInCloud;
let owner: Caller;
let ownerName: string;

beforeAll(async () => {
  fic = await startFakeFattureInCloud();
  Object.assign(process.env, { FATTUREINCLOUD_API_URL: fic.apiUrl, FATTUREINCLOUD_CLIENT_ID: fic.clientId, FATTUREINCLOUD_CLIENT_SECRET: fic.clientSecret });
  // (it drops the cached env, so the variables above are read too)
  slack = await startSlackForTests();
  database = await openTestDatabase();
  setDatabase(database);
  ({ owner } = await seedCompany(database.prisma, "Settings"));
  ownerName = (await database.prisma.user.findUniqueOrThrow({ where: { id: owner.userId! } })).name!;
  await database.prisma.credential.deleteMany({ where: { companyId: owner.companyId } });
});
afterAll(async () => {
  await closeDatabase();
  await Promise.all([slack.close(), fic.close()]);
});

describe("Settings > Integrations", () => {
  it("tells two connections with the same name apart: account id, owner, who connected it and when", async () => {
    const [a, b] = slack.teams;
    await connectSlack(database.prisma, { companyId: owner.companyId }, slack.issueBotToken(undefined, a!.id), {
      displayName: a!.name,
      accountId: a!.id,
      createdById: owner.userId,
    });
    await connectSlack(database.prisma, { userId: owner.userId! }, slack.issueBotToken(undefined, b!.id), {
      displayName: b!.name,
      accountId: b!.id,
      createdById: owner.userId,
    });
    expect(a!.name).toBe(b!.name);
    const card = (await listIntegrationCards(database.prisma, owner, catalog)).find((c) => c.id === "slack")!;
    expect(card.connections.map((c) => [c.displayName, c.accountId, c.owner, c.connectedBy])).toEqual([
      ["Fake Workspace", "T0FAKE02", "user", ownerName],
      ["Fake Workspace", "T0FAKE01", "company", ownerName],
    ]);
    // React's text separators out, to read the text as a person does
    const html = (await renderSettingsPage(owner)).replaceAll("<!-- -->", "");
    for (const id of ["T0FAKE01", "T0FAKE02"]) expect(html).toContain(`aria-label="Disconnect Fake Workspace (${id})"`);
    expect(html).toContain(`connected by ${ownerName}`);
  });

  it("Test on a paused connection says it is paused, as the steps using it will", async () => {
    const row = await database.prisma.credential.findFirstOrThrow({ where: { companyId: owner.companyId, appId: "slack" } });
    expect(await testConnection(database.prisma, owner, { id: row.id }, catalog)).toMatchObject({ paused: false, message: "The connection works" });
    await setPaused(database.prisma, owner, { id: row.id }, true);
    const tested = await testConnection(database.prisma, owner, { id: row.id }, catalog);
    expect(tested).toMatchObject({ paused: true, connection: { status: "paused" } });
    expect(tested.message).toMatch(/^The credentials work, but the connection is paused: steps using it fail with “connection paused”/);
    const { runId, stepId } = await createRun(database.prisma, owner);
    const step = await workflowFailure(
      executeIntegrationAction(database.prisma, {
        companyId: owner.companyId,
        userId: null,
        ...target("slack.send_message"),
        connectionId: row.id,
        input: { channel: "general", text: "hi" },
        runId,
        stepId,
        idempotencyKey: "paused",
      }),
    );
    expect(step.code).toBe("E_CONNECTION_PAUSED");
  });

  it("offers Switch company on a Fatture in Cloud connection", async () => {
    const connection = await connectThroughConsent(database.prisma, fic, { companyId: owner.companyId }, owner.userId);
    const html = (await renderSettingsPage(owner, { choose: connection.id })).replaceAll("<!-- -->", "");
    expect(html).toContain(`aria-label="Choose the company of Rossi Consulenze S.r.l. (${fic.companies[0]!.id})"`);
    expect(html).toContain("Switch company");
  });
});
