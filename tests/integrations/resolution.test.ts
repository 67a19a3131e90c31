import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { resolveCredential } from "@/lib/credentials/resolve";
import { makePreferred, setPaused } from "@/lib/credentials/store";
import { catalog } from "@/lib/catalog";
import { listWorkflowScopes, setConnectionDefaultChannel, setWorkflowScope, setWorkflowScopePaused } from "@/lib/integrations/scopes";
import { executeIntegrationAction } from "@/lib/integrations/execute";
import { WorkflowError } from "@/lib/workflow/errors";
import type { FakeSlack } from "@/fakes/slack/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { seedCompany } from "../support/seed";
import { connectSlack, createRun, startSlackForTests, target } from "./support";
import { appFailure, workflowFailure } from "../support/failure";

// Credential resolution, decided per call: node > the workflow's own (its installation scope) >
// user's current profile > company default > user fallback > company fallback; a pause on the
// workflow stops that workflow only, a pause of a company connection every workflow using it.
// The fake records which token each call carried.

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

async function post(caller: Pick<Caller, "companyId" | "userId">, connectionId?: string, workflowId?: string) {
  const { runId, stepId } = await createRun(database.prisma, owner, workflowId);
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

/** A workflow of the company with its own Slack scope. */
async function workflowWith(c: Caller, scope: { credentialId?: string; defaultChannel?: string; paused?: boolean }) {
  const workflow = await database.prisma.workflow.create({ data: { companyId: c.companyId, name: "scoped", draft: {} } });
  await database.prisma.app.upsert({ where: { id: "slack" }, create: { id: "slack", name: "Slack" }, update: {} });
  await database.prisma.workflowConnection.create({ data: { companyId: c.companyId, workflowId: workflow.id, appId: "slack", ...scope } });
  return workflow.id;
}

describe("credential resolution at execution time", () => {
  beforeAll(async () => {
    owner = await freshCompany("Resolve");
    otherCompany = await freshCompany("Elsewhere");
  });

  type Case = {
    name: string;
    setup: (
      tokens: Record<string, string>,
    ) => Promise<{ expect: string | WorkflowError["code"]; connectionId?: string; userId?: string | null; workflowId?: string }>;
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
    {
      name: "the workflow's own connection is used over the user's profile and the company default",
      setup: async (t) => {
        const c = await freshCompany("W1");
        await connectSlack(database.prisma, { companyId: c.companyId }, (t.default = fake.issueBotToken()));
        await connectSlack(database.prisma, { userId: c.userId! }, (t.mine = fake.issueBotToken()));
        const own = await connectSlack(database.prisma, { companyId: c.companyId }, (t.own = fake.issueBotToken()));
        const workflowId = await workflowWith(c, { credentialId: own.id });
        owner = c;
        return { expect: "own", workflowId };
      },
    },
    {
      name: "the node's connection still wins over the workflow's",
      setup: async (t) => {
        const c = await freshCompany("W2");
        const own = await connectSlack(database.prisma, { companyId: c.companyId }, (t.own = fake.issueBotToken()));
        const pinned = await connectSlack(database.prisma, { companyId: c.companyId }, (t.pinned = fake.issueBotToken()));
        const workflowId = await workflowWith(c, { credentialId: own.id });
        owner = c;
        return { expect: "pinned", connectionId: pinned.id, workflowId };
      },
    },
    {
      name: "a workflow that sets only a default channel keeps the company's connection",
      setup: async (t) => {
        const c = await freshCompany("W3");
        await connectSlack(database.prisma, { companyId: c.companyId }, (t.default = fake.issueBotToken()));
        const workflowId = await workflowWith(c, { defaultChannel: "C0GENERAL" });
        owner = c;
        return { expect: "default", workflowId, userId: null };
      },
    },
    {
      name: "a workflow paused for the app stops, even with a connection on the node",
      setup: async (t) => {
        const c = await freshCompany("W4");
        const pinned = await connectSlack(database.prisma, { companyId: c.companyId }, (t.pinned = fake.issueBotToken()));
        const workflowId = await workflowWith(c, { paused: true });
        owner = c;
        return { expect: "E_CONNECTION_PAUSED", connectionId: pinned.id, workflowId };
      },
    },
    {
      name: "the workflow's connection paused for the company stops that workflow too",
      setup: async (t) => {
        const c = await freshCompany("W5");
        await connectSlack(database.prisma, { companyId: c.companyId }, (t.default = fake.issueBotToken()));
        const own = await connectSlack(database.prisma, { companyId: c.companyId }, (t.own = fake.issueBotToken()));
        await database.prisma.credential.update({ where: { id: own.id }, data: { status: "paused" } });
        const workflowId = await workflowWith(c, { credentialId: own.id });
        owner = c;
        return { expect: "E_CONNECTION_PAUSED", workflowId };
      },
    },
    {
      name: "the workflow's connection, once disconnected, is reported: never replaced by another account",
      setup: async (t) => {
        const c = await freshCompany("W6");
        await connectSlack(database.prisma, { companyId: c.companyId }, (t.default = fake.issueBotToken()));
        const own = await connectSlack(database.prisma, { companyId: c.companyId }, (t.own = fake.issueBotToken()));
        const workflowId = await workflowWith(c, { credentialId: own.id });
        await database.prisma.credential.delete({ where: { id: own.id } });
        owner = c;
        return { expect: "E_CREDENTIAL_MISSING", workflowId };
      },
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, testCase) => {
    const tokens: Record<string, string> = {};
    const outcome = await testCase.setup(tokens);
    const caller = { companyId: owner.companyId, userId: outcome.userId === undefined ? owner.userId : outcome.userId };
    const before = fake.callsTo("chat.postMessage").length;
    if (outcome.expect.startsWith("E_")) {
      const error = await workflowFailure(post(caller, outcome.connectionId, outcome.workflowId));
      expect(error.code).toBe(outcome.expect);
      if (error.code === "E_CREDENTIAL_MISSING" && !outcome.connectionId)
        expect(error.remediation).toBe(
          outcome.workflowId
            ? "Choose another Slack connection in the workflow's Connections, or let it use the company's"
            : "Connect Slack in Settings > Integrations",
        );
      if (error.code === "E_CONNECTION_PAUSED")
        expect(error.remediation).toMatch(outcome.workflowId ? /Resume (it|Slack in the workflow's Connections)/ : /Resume it/);
      expect(fake.callsTo("chat.postMessage").length).toBe(before);
    } else {
      expect(await post(caller, outcome.connectionId, outcome.workflowId)).toBe(tokens[outcome.expect]);
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

describe("installation scopes: the company's connection for every workflow, a workflow's own, and both pause levels", () => {
  const draft = {
    trigger: { type: "manual", config: {} },
    nodes: [{ id: "post", type: "slack.send_message", name: "Post", config: { channel: "general", text: "hi" }, position: { x: 0, y: 0 } }],
    edges: [],
  };
  const newWorkflow = async (c: Caller, name: string) => (await database.prisma.workflow.create({ data: { companyId: c.companyId, name, draft } })).id;

  it("a pause on one workflow stops only that workflow; resuming it lets it run again", async () => {
    const c = await freshCompany("PauseW");
    owner = c;
    const token = fake.issueBotToken();
    await connectSlack(database.prisma, { companyId: c.companyId }, token);
    const [paused, other] = [await newWorkflow(c, "paused"), await newWorkflow(c, "other")];
    await setWorkflowScopePaused(database.prisma, c, { workflowId: paused, appId: "slack", paused: true }, catalog);
    const error = await workflowFailure(post(c, undefined, paused));
    expect([error.code, error.message, error.remediation]).toEqual([
      "E_CONNECTION_PAUSED",
      "Slack is paused on this workflow",
      "Resume Slack in the workflow's Connections, then replay the run",
    ]);
    expect(await post(c, undefined, other)).toBe(token);
    await setWorkflowScopePaused(database.prisma, c, { workflowId: paused, appId: "slack", paused: false }, catalog);
    expect(await post(c, undefined, paused)).toBe(token);
    expect(await database.prisma.workflowConnection.count({ where: { workflowId: paused } })).toBe(0);
  });

  it("a pause of the company connection stops every workflow that uses it, and only those", async () => {
    const c = await freshCompany("PauseC");
    owner = c;
    const shared = await connectSlack(database.prisma, { companyId: c.companyId }, fake.issueBotToken());
    const ownToken = fake.issueBotToken();
    const own = await connectSlack(database.prisma, { companyId: c.companyId }, ownToken);
    const [inheriting, overriding] = [await newWorkflow(c, "inherits"), await newWorkflow(c, "own")];
    await setWorkflowScope(database.prisma, c, { workflowId: overriding, appId: "slack", connectionId: own.id, defaultChannel: null }, catalog);
    await setPaused(database.prisma, c, { id: shared.id }, true);
    const error = await workflowFailure(post({ companyId: c.companyId, userId: null }, undefined, inheriting));
    expect([error.code, error.message]).toEqual(["E_CONNECTION_PAUSED", `The Slack connection "Fake Workspace" is paused for the company`]);
    expect(await post({ companyId: c.companyId, userId: null }, undefined, overriding)).toBe(ownToken);
  });

  it("the default channel: the workflow's own, else the connection's; a node's own connection keeps its own", async () => {
    const c = await freshCompany("Channels");
    const company = await connectSlack(database.prisma, { companyId: c.companyId }, fake.issueBotToken());
    const pinned = await connectSlack(database.prisma, { companyId: c.companyId }, fake.issueBotToken());
    // Slack steps take no default channel (Discord's do), so Settings refuses one and the test stores it directly.
    expect((await appFailure(setConnectionDefaultChannel(database.prisma, c, { id: company.id, defaultChannel: "C0GENERAL" }, catalog))).code).toBe(
      "validation_failed",
    );
    await database.prisma.credential.update({ where: { id: company.id }, data: { defaultChannel: "C0GENERAL" } });
    await database.prisma.credential.update({ where: { id: pinned.id }, data: { defaultChannel: "C0PINNED" } });
    const workflowId = await workflowWith(c, { defaultChannel: "C0WORKFLOW" });
    const resolve = (connectionId: string | null, wf: string | null) =>
      resolveCredential(database.prisma, { companyId: c.companyId, userId: null, app: { id: "slack", name: "Slack" }, connectionId, workflowId: wf });
    expect((await resolve(null, null)).defaults.channel).toBe("C0GENERAL");
    expect((await resolve(null, workflowId)).defaults.channel).toBe("C0WORKFLOW");
    expect((await resolve(pinned.id, workflowId)).defaults.channel).toBe("C0PINNED");
  });

  it("says where each value comes from: inherited from the company, or set on this workflow", async () => {
    const c = await freshCompany("Origins");
    const company = await connectSlack(database.prisma, { companyId: c.companyId }, fake.issueBotToken());
    const own = await connectSlack(database.prisma, { companyId: c.companyId }, fake.issueBotToken());
    const workflowId = await newWorkflow(c, "origins");
    const [inherited] = await listWorkflowScopes(database.prisma, c, workflowId, catalog);
    expect(inherited).toMatchObject({ appId: "slack", connection: { origin: "company", value: { id: company.id } }, defaultChannel: null });
    const [set] = await setWorkflowScope(database.prisma, c, { workflowId, appId: "slack", connectionId: own.id, defaultChannel: "" }, catalog);
    expect(set).toMatchObject({ connection: { origin: "workflow", value: { id: own.id }, inherited: { id: company.id } }, paused: { workflow: false } });
    const [back] = await setWorkflowScope(database.prisma, c, { workflowId, appId: "slack", connectionId: "", defaultChannel: null }, catalog);
    expect(back!.connection.origin).toBe("company");
  });

  it("a workflow can only use its company's connections; members cannot change scopes; another company's workflow is not found", async () => {
    const c = await freshCompany("ScopeGuard");
    const workflowId = await newWorkflow(c, "guarded");
    const theirs = await connectSlack(database.prisma, { companyId: otherCompany.companyId }, fake.issueBotToken());
    const refused = await appFailure(
      setWorkflowScope(database.prisma, c, { workflowId, appId: "slack", connectionId: theirs.id, defaultChannel: null }, catalog),
    );
    expect(refused.code).toBe("validation_failed");
    const member = { ...c, role: "member" as const };
    expect((await appFailure(setWorkflowScopePaused(database.prisma, member, { workflowId, appId: "slack", paused: true }, catalog))).code).toBe("forbidden");
    const outsider = { ...otherCompany, role: "owner" as const };
    expect((await appFailure(setWorkflowScopePaused(database.prisma, outsider, { workflowId, appId: "slack", paused: true }, catalog))).code).toBe("not_found");
    expect(
      (await appFailure(setWorkflowScope(database.prisma, c, { workflowId, appId: "slack", connectionId: null, defaultChannel: "C0X" }, catalog))).code,
    ).toBe("validation_failed");
  });
});
