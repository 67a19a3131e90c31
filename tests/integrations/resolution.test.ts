import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { makePreferred } from "@/lib/credentials/store";
import { executeIntegrationAction } from "@/lib/integrations/execute";
import { WorkflowError } from "@/lib/workflow/errors";
import type { FakeSlack } from "@/fakes/slack/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { seedCompany } from "../support/seed";
import { connectSlack, createRun, startSlackForTests, target } from "./support";
import { workflowFailure } from "../support/failure";

// Credential resolution, decided per call: node > user's current profile > company default >
// user fallback > company fallback. The fake records which token each call carried.

let database: TestDatabase;
let fake: FakeSlack;
let owner: Caller;
let otherCompany: Caller;

beforeAll(async () => {
  fake = await startSlackForTests();
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
  await fake.close();
});

async function freshCompany(label: string) {
  const seeded = await seedCompany(database.prisma, label);
  // drop the seeded placeholder connection, so each case starts from what it stores itself
  await database.prisma.credential.deleteMany({ where: { companyId: seeded.owner.companyId } });
  return seeded.owner;
}

async function post(caller: Pick<Caller, "companyId" | "userId">, connectionId?: string) {
  const { runId, stepId } = await createRun(database.prisma, owner);
  await executeIntegrationAction(database.prisma, {
    companyId: caller.companyId,
    userId: caller.userId,
    ...target("slack.send_message"),
    connectionId: connectionId ?? null,
    input: { channel: "general", text: "hello" },
    runId,
    stepId,
    idempotencyKey: `${runId}:${stepId}`,
  });
  return fake.callsTo("chat.postMessage").at(-1)!.token;
}

describe("credential resolution at execution time", () => {
  beforeAll(async () => {
    owner = await freshCompany("Resolve");
    otherCompany = await freshCompany("Elsewhere");
  });

  type Case = {
    name: string;
    setup: (tokens: Record<string, string>) => Promise<{ expect: string | WorkflowError["code"]; connectionId?: string; userId?: string | null }>;
  };
  const cases: Case[] = [
    {
      name: "the user's current profile is used over the company default",
      setup: async (t) => {
        const c = await freshCompany("P1");
        await connectSlack(database.prisma, { companyId: c.companyId }, (t.company = fake.issueBotToken()));
        await connectSlack(database.prisma, { userId: c.userId! }, (t.mine = fake.issueBotToken()));
        owner = c;
        return { expect: "mine" };
      },
    },
    {
      name: "with no user connection, the company default is used",
      setup: async (t) => {
        const c = await freshCompany("P2");
        const first = await connectSlack(database.prisma, { companyId: c.companyId }, (t.default = fake.issueBotToken()));
        await connectSlack(database.prisma, { companyId: c.companyId }, (t.newer = fake.issueBotToken()));
        expect(first.isTeamDefaultProfile).toBe(true);
        owner = c;
        return { expect: "default" };
      },
    },
    {
      name: "with no profile flags, the user's most recent connected connection, then the company's",
      setup: async (t) => {
        const c = await freshCompany("P3");
        await connectSlack(database.prisma, { companyId: c.companyId }, (t.company = fake.issueBotToken()));
        await connectSlack(database.prisma, { userId: c.userId! }, (t.older = fake.issueBotToken()));
        await connectSlack(database.prisma, { userId: c.userId! }, (t.recent = fake.issueBotToken()));
        await database.prisma.credential.updateMany({
          where: { OR: [{ companyId: c.companyId }, { userId: c.userId }] },
          data: { isTeamDefaultProfile: false, isUserCurrentProfile: false },
        });
        owner = c;
        return { expect: "recent" };
      },
    },
    {
      name: "a run nobody started (schedule) uses the company's connections only",
      setup: async (t) => {
        const c = await freshCompany("P4");
        await connectSlack(database.prisma, { companyId: c.companyId }, (t.company = fake.issueBotToken()));
        await connectSlack(database.prisma, { userId: c.userId! }, (t.mine = fake.issueBotToken()));
        owner = c;
        return { expect: "company", userId: null };
      },
    },
    {
      name: "an explicit connection on the node always wins",
      setup: async (t) => {
        const c = await freshCompany("P5");
        const pinned = await connectSlack(database.prisma, { companyId: c.companyId }, (t.pinned = fake.issueBotToken()));
        await connectSlack(database.prisma, { userId: c.userId! }, (t.mine = fake.issueBotToken()));
        await makePreferred(database.prisma, c, { id: (await connectSlack(database.prisma, { companyId: c.companyId }, (t.other = fake.issueBotToken()))).id });
        owner = c;
        return { expect: "pinned", connectionId: pinned.id };
      },
    },
    {
      name: "none at all gives E_CREDENTIAL_MISSING with “Connect Slack”",
      setup: async () => {
        owner = await freshCompany("P6");
        return { expect: "E_CREDENTIAL_MISSING" };
      },
    },
    {
      name: "another company's connection named on the node is not available",
      setup: async (t) => {
        const theirs = await connectSlack(database.prisma, { companyId: otherCompany.companyId }, (t.theirs = fake.issueBotToken()));
        owner = await freshCompany("P7");
        return { expect: "E_CREDENTIAL_MISSING", connectionId: theirs.id };
      },
    },
    {
      name: "a paused default is refused without calling Slack",
      setup: async (t) => {
        const c = await freshCompany("P8");
        const row = await connectSlack(database.prisma, { companyId: c.companyId }, (t.paused = fake.issueBotToken()));
        await database.prisma.credential.update({ where: { id: row.id }, data: { status: "paused" } });
        owner = c;
        return { expect: "E_CONNECTION_PAUSED" };
      },
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, testCase) => {
    const tokens: Record<string, string> = {};
    const outcome = await testCase.setup(tokens);
    const caller = { companyId: owner.companyId, userId: outcome.userId === undefined ? owner.userId : outcome.userId };
    const before = fake.callsTo("chat.postMessage").length;
    if (outcome.expect.startsWith("E_")) {
      const error = await workflowFailure(post(caller, outcome.connectionId));
      expect(error.code).toBe(outcome.expect);
      if (error.code === "E_CREDENTIAL_MISSING" && !outcome.connectionId) expect(error.remediation).toBe("Connect Slack in Settings > Integrations");
      if (error.code === "E_CONNECTION_PAUSED") expect(error.remediation).toMatch(/Resume it/);
      expect(fake.callsTo("chat.postMessage").length).toBe(before);
    } else {
      expect(await post(caller, outcome.connectionId)).toBe(tokens[outcome.expect]);
    }
  });

  it("a 401 from Slack marks the connection needs_attention and fails with E_CREDENTIAL_INVALID “Reconnect Slack”", async () => {
    const c = await freshCompany("Revoked");
    owner = c;
    const token = fake.issueBotToken();
    const row = await connectSlack(database.prisma, { companyId: c.companyId }, token);
    fake.revoke(token);
    const error = await workflowFailure(post(c));
    expect(error.code).toBe("E_CREDENTIAL_INVALID");
    expect(error.remediation).toBe("Reconnect Slack in Settings > Integrations");
    expect((await database.prisma.credential.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("needs_attention");
    // the next run does not call out with it again
    const calls = fake.callsTo("chat.postMessage").length;
    expect((await workflowFailure(post(c))).code).toBe("E_CREDENTIAL_INVALID");
    expect(fake.callsTo("chat.postMessage").length).toBe(calls);
  });

  it("resolves on every call: a run resumed after the user switched profile uses the new one", async () => {
    const c = await freshCompany("Switch");
    owner = c;
    const first = fake.issueBotToken();
    const second = fake.issueBotToken();
    const a = await connectSlack(database.prisma, { userId: c.userId! }, first, { accountId: "TSWITCH1" });
    const b = await connectSlack(database.prisma, { userId: c.userId! }, second, { accountId: "TSWITCH2" });
    expect(a.isUserCurrentProfile).toBe(true);
    expect(await post(c)).toBe(first);
    await makePreferred(database.prisma, c, { id: b.id });
    expect(await post(c)).toBe(second);
  });
});
