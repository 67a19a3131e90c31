import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { cancelRun, completeWaitpoint, getRun, replayRun, rerunOnLatest, startRun } from "@/lib/workflow/runs";
import { createWorkflow, publishWorkflow } from "@/lib/workflow/store";
import { definition, edge, node } from "@/lib/workflow/test-fixtures";
import type { RunStatus } from "@/lib/generated/prisma/enums";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { seedCompany } from "../support/seed";
import { testClock } from "../support/clock";
import { calls, effects, gate, testCatalog, undoFaults, undone } from "../support/test-nodes";
import { setCompanyPolicy, setWorkflowPolicy } from "@/lib/workflow/policy-settings";
import { previewUndo, requestUndo } from "@/lib/workflow/undo";
import { AppError } from "@/lib/errors";

// The scenario suite of the interpreter, asserted on the exact step records
// (node@iteration#attempt:status). Each host runs it (engine.test.ts: the embedded worker;
// trigger-host.test.ts: Trigger.dev, against its fake), on PGlite and on the Postgres server.
// Hosts run on testClock: a test moves it past a wait instead of sleeping through it.

export type ScenarioHost = {
  /** Starts executing runs of this database. */
  start(database: TestDatabase): Promise<void>;
  stop(): Promise<void>;
};

export function describeScenarios(host: ScenarioHost) {
  let database!: TestDatabase;
  let owner!: Caller;
  beforeAll(async () => {
    database = await openTestDatabase();
    ({ owner } = await seedCompany(database.prisma, "Engine"));
    await host.start(database);
  }, 60_000);
  afterAll(async () => {
    await host.stop();
    await database.close();
  });

  let counter = 0;
  const unique = (name: string) => `${name}-${++counter}-${Date.now()}`;
  type Def = ReturnType<typeof definition>;

  async function published(def: Def, extra: { concurrencyLimit?: number } = {}) {
    const workflow = await createWorkflow(database.prisma, testCatalog, owner, { name: unique("wf"), definition: def });
    await publishWorkflow(database.prisma, testCatalog, owner, workflow.id);
    if (extra.concurrencyLimit) await database.prisma.workflow.update({ where: { id: workflow.id }, data: { concurrencyLimit: extra.concurrencyLimit } });
    return workflow.id;
  }

  async function waitFor(runId: string, statuses: RunStatus[], timeoutMs = 15_000) {
    const started = Date.now();
    for (;;) {
      const run = await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: runId } });
      if (statuses.includes(run.status)) return run;
      if (Date.now() - started > timeoutMs) throw new Error(`run ${runId} stayed ${run.status}, expected ${statuses.join("/")}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function records(runId: string) {
    const steps = await database.prisma.workflowRunStep.findMany({ where: { runId } });
    return steps.map((s) => `${s.nodeId}@${s.iterationPath}#${s.attempt}:${s.status}${s.errorCode ? `(${s.errorCode})` : ""}`).sort();
  }

  async function run(def: Def, payload: unknown = {}, until: RunStatus[] = ["succeeded", "failed", "cancelled"]) {
    const workflowId = await published(def);
    const { run: started } = await startRun(database.prisma, testCatalog, owner, workflowId, { payload });
    const finished = await waitFor(started.id, until);
    return { id: started.id, workflowId, status: finished.status, errorCode: finished.errorCode, steps: await records(started.id) };
  }

  const branchy = definition(
    [
      node("check", "control.if", { condition: { op: "gt", left: "{{trigger.payload.amount}}", right: 100 } }),
      node("big", "core.noop", { value: "big" }),
      node("small", "core.noop", { value: "small" }),
      node("join", "core.noop", { value: "{{step.big.output.value ?? step.small.output.value}}" }),
    ],
    ["trigger→check", "check:true→big", "check:false→small", "big→join", "small→join"],
  );

  describe("control flow", () => {
    it("takes the IF's true branch, skips the other, and runs the join once", async () => {
      const result = await run(branchy, { amount: 500 });
      expect(result.status).toBe("succeeded");
      expect(result.steps).toEqual(["big@#1:succeeded", "check@#1:succeeded", "join@#1:succeeded", "small@#1:skipped"]);
      const join = await database.prisma.workflowRunStep.findFirstOrThrow({ where: { runId: result.id, nodeId: "join" } });
      expect(join.output).toEqual({ value: "big" });
    });

    it("lists the steps in the order they ran, with the nodes' names", async () => {
      const def = definition(
        [
          node("check", "control.if", { condition: { op: "gt", left: "{{trigger.payload.amount}}", right: 100 } }, { name: "Is it big?" }),
          node("big", "core.noop", { value: "big" }),
          node("small", "core.noop", { value: "small" }),
          node("join", "core.noop", { value: "{{step.big.output.value ?? step.small.output.value}}" }),
        ],
        ["trigger→check", "check:true→big", "check:false→small", "big→join", "small→join"],
      );
      const result = await run(def, { amount: 500 });
      const steps = (await getRun(database.prisma, owner, result.id)).steps;
      expect(steps.map((s) => `${s.nodeName}:${s.status}`)).toEqual(["Is it big?:succeeded", "big:succeeded", "small:skipped", "join:succeeded"]);
    });

    it("gives {{trigger.type}} as the trigger type and {{trigger.source}} as where the run was started", async () => {
      const workflowId = await published(definition([node("say", "core.noop", { value: "{{trigger.type}}/{{trigger.source}}" })], ["trigger→say"]));
      for (const source of ["ui", "api"]) {
        const { run: started } = await startRun(database.prisma, testCatalog, owner, workflowId, {}, { type: "manual", source });
        await waitFor(started.id, ["succeeded"]);
        const say = await database.prisma.workflowRunStep.findFirstOrThrow({ where: { runId: started.id, nodeId: "say" } });
        expect(say.output).toEqual({ value: `manual/${source}` });
      }
    });

    it("records a step's input with its secrets redacted, while the step itself gets the real values", async () => {
      const key = unique("secret");
      const result = await run(
        definition([node("call", "test.count", { key, value: { apiToken: "{{trigger.payload.token}}", channel: "#ops" } })], ["trigger→call"]),
        { token: "s3cr3t-value" },
      );
      expect(result.status).toBe("succeeded");
      const step = await database.prisma.workflowRunStep.findFirstOrThrow({ where: { runId: result.id, nodeId: "call" } });
      expect(step.input).toEqual({ key, value: { apiToken: "[redacted]", channel: "#ops" } });
      expect(step.output).toMatchObject({ value: { apiToken: "s3cr3t-value" } });
    });

    it("runs a control node that is only a module in the catalog: a SWITCH takes the matching handle", async () => {
      const def = definition(
        [node("route", "test.switch", { value: "{{trigger.payload.kind}}", cases: ["a", "b"] }), node("onA"), node("onB"), node("onOther")],
        ["trigger→route", "route:a→onA", "route:b→onB", "route:other→onOther"],
      );
      expect((await run(def, { kind: "b" })).steps).toEqual(["onA@#1:skipped", "onB@#1:succeeded", "onOther@#1:skipped", "route@#1:succeeded"]);
      expect((await run(def, { kind: "z" })).steps).toEqual(["onA@#1:skipped", "onB@#1:skipped", "onOther@#1:succeeded", "route@#1:succeeded"]);
    });

    it("takes the IF's false branch the other way", async () => {
      const result = await run(branchy, { amount: 5 });
      expect(result.steps).toEqual(["big@#1:skipped", "check@#1:succeeded", "join@#1:succeeded", "small@#1:succeeded"]);
    });

    it("runs a nested LOOP with an IF inside, recording iteration paths", async () => {
      const def = definition(
        [
          node("rows", "control.loop", { items: "{{trigger.payload.rows}}" }),
          node("cells", "control.loop", { items: "{{loop.item.cells}}" }),
          node("large", "control.if", { condition: { op: "gt", left: "{{loop.item}}", right: 4 } }),
          node("note", "core.noop", { value: "{{loop.item}} at {{loop.index}}" }),
          node("after", "core.noop", { value: "{{step.rows.output.iterations}}" }),
        ],
        ["trigger→rows", "rows:body→cells", "cells:body→large", "large:true→note", "rows:done→after"],
      );
      const result = await run(def, { rows: [{ cells: [1, 5] }, { cells: [7] }] });
      expect(result.status).toBe("succeeded");
      expect(result.steps).toEqual([
        "after@#1:succeeded",
        "cells@0#1:succeeded",
        "cells@1#1:succeeded",
        "large@0.0#1:succeeded",
        "large@0.1#1:succeeded",
        "large@1.0#1:succeeded",
        "note@0.0#1:skipped",
        "note@0.1#1:succeeded",
        "note@1.0#1:succeeded",
        "rows@#1:succeeded",
      ]);
      const note = await database.prisma.workflowRunStep.findFirstOrThrow({ where: { runId: result.id, nodeId: "note", iterationPath: "1.0" } });
      expect(note.output).toEqual({ value: "7 at 0" });
    });

    it("sleeps durably through a WAIT and continues after it", async () => {
      const def = definition([node("pause", "control.wait", { durationMs: 3_600_000 }), node("after")], ["trigger→pause", "pause→after"]);
      const workflowId = await published(def);
      const { run: started } = await startRun(database.prisma, testCatalog, owner, workflowId, {});
      const parked = await waitFor(started.id, ["waiting"]);
      expect(parked.wakeAt!.getTime()).toBeGreaterThan(testClock.now().getTime() + 3_500_000);
      expect(await records(started.id)).toEqual(["pause@#1:waiting"]);
      testClock.advance(3_600_000);
      await waitFor(started.id, ["succeeded"]);
      expect(await records(started.id)).toEqual(["after@#1:succeeded", "pause@#1:succeeded"]);
    });
  });

  describe("parallel branches", () => {
    it("goes on with the other branch while one waits, and joins once both are done", async () => {
      const def = definition(
        [node("pause", "control.wait", { durationMs: 600_000 }), node("late"), node("quick"), node("quick2"), node("join")],
        ["trigger→pause", "pause→late", "trigger→quick", "quick→quick2", "late→join", "quick2→join"],
      );
      const workflowId = await published(def);
      const { run: started } = await startRun(database.prisma, testCatalog, owner, workflowId, {});
      await waitFor(started.id, ["waiting"]);
      expect(await records(started.id)).toEqual(["pause@#1:waiting", "quick2@#1:succeeded", "quick@#1:succeeded"]);
      testClock.advance(600_000);
      await waitFor(started.id, ["succeeded"]);
      expect(await records(started.id)).toEqual(["join@#1:succeeded", "late@#1:succeeded", "pause@#1:succeeded", "quick2@#1:succeeded", "quick@#1:succeeded"]);
    });

    it("waits on two approvals at once and continues each branch as soon as it is decided", async () => {
      const def = definition(
        [
          node("askA", "control.approval", { message: "A?", timeoutMs: 60_000 }),
          node("payA"),
          node("askB", "control.approval", { message: "B?", timeoutMs: 60_000 }),
          node("payB"),
        ],
        ["trigger→askA", "askA:approved→payA", "trigger→askB", "askB:approved→payB"],
      );
      const workflowId = await published(def);
      const { run: started } = await startRun(database.prisma, testCatalog, owner, workflowId, {});
      await waitFor(started.id, ["waiting"]);
      const open = (await getRun(database.prisma, owner, started.id)).waitpoints;
      expect(open.map((w) => w.nodeId).sort()).toEqual(["askA", "askB"]);
      await completeWaitpoint(database.prisma, { caller: owner }, open.find((w) => w.nodeId === "askB")!.id, { approved: true });
      await expect.poll(() => records(started.id), { timeout: 10_000 }).toContain("payB@#1:succeeded");
      await waitFor(started.id, ["waiting"]);
      expect(await records(started.id)).toEqual(["askA@#1:waiting", "askB@#1:succeeded", "payB@#1:succeeded"]);
      await completeWaitpoint(database.prisma, { caller: owner }, open.find((w) => w.nodeId === "askA")!.id, { approved: true });
      await waitFor(started.id, ["succeeded"]);
      expect(await records(started.id)).toEqual(["askA@#1:succeeded", "askB@#1:succeeded", "payA@#1:succeeded", "payB@#1:succeeded"]);
    });

    it("fails the run when one branch fails while another waits, and ends that wait", async () => {
      const def = definition(
        [node("ask", "control.approval", { message: "Go?", timeoutMs: 60_000 }), node("bad", "test.fail", { code: "E_VALIDATION" })],
        ["trigger→ask", "trigger→bad"],
      );
      const result = await run(def);
      expect(result).toMatchObject({ status: "failed", errorCode: "E_VALIDATION" });
      expect(result.steps).toEqual(["ask@#1:cancelled", "bad@#1:failed(E_VALIDATION)"]);
      expect(await database.prisma.waitpoint.count({ where: { runId: result.id, completedAt: null } })).toBe(0);
    });
  });

  describe("approvals", () => {
    const approvalFlow = (timeoutMs = 60_000) =>
      definition(
        [node("ask", "control.approval", { message: "Pay {{trigger.payload.amount}}?", timeoutMs }), node("pay"), node("refuse"), node("late")],
        ["trigger→ask", "ask:approved→pay", "ask:rejected→refuse", "ask:timeout→late"],
      );

    async function parkedApproval() {
      const workflowId = await published(approvalFlow());
      const { run: started } = await startRun(database.prisma, testCatalog, owner, workflowId, { payload: { amount: 10 } });
      await waitFor(started.id, ["waiting"]);
      const detail = await getRun(database.prisma, owner, started.id);
      expect(detail.waitpoints).toEqual([expect.objectContaining({ nodeId: "ask", kind: "approval", message: "Pay 10?" })]);
      return { runId: started.id, waitpointId: detail.waitpoints[0]!.id };
    }

    it("continues on approved", async () => {
      const { runId, waitpointId } = await parkedApproval();
      await completeWaitpoint(database.prisma, { caller: owner }, waitpointId, { approved: true, comment: "ok" });
      await waitFor(runId, ["succeeded"]);
      expect(await records(runId)).toEqual(["ask@#1:succeeded", "late@#1:skipped", "pay@#1:succeeded", "refuse@#1:skipped"]);
      const ask = await database.prisma.workflowRunStep.findFirstOrThrow({ where: { runId, nodeId: "ask" } });
      expect(ask.output).toMatchObject({ decision: "approved", comment: "ok", decidedBy: expect.stringMatching(/^owner-.*@engine\.test$/) });
    });

    it("continues on rejected, and refuses a second decision", async () => {
      const { runId, waitpointId } = await parkedApproval();
      await completeWaitpoint(database.prisma, { caller: owner }, waitpointId, { approved: false });
      await expect(completeWaitpoint(database.prisma, { caller: owner }, waitpointId, { approved: true })).rejects.toThrow(/already decided/);
      await waitFor(runId, ["succeeded"]);
      expect(await records(runId)).toEqual(["ask@#1:succeeded", "late@#1:skipped", "pay@#1:skipped", "refuse@#1:succeeded"]);
    });

    it("takes the timeout branch when nobody decides in time", async () => {
      const workflowId = await published(approvalFlow(86_400_000));
      const { run: started } = await startRun(database.prisma, testCatalog, owner, workflowId, { payload: { amount: 3 } });
      await waitFor(started.id, ["waiting"]);
      testClock.advance(86_400_000);
      const result = { steps: (await waitFor(started.id, ["succeeded"]), await records(started.id)) };
      expect(result.steps).toEqual(["ask@#1:succeeded", "late@#1:succeeded", "pay@#1:skipped", "refuse@#1:skipped"]);
    });

    it("continues at once when the approval is decided while another branch is still running", async () => {
      const key = unique("slow");
      const def = definition(
        [node("ask", "control.approval", { message: "Go?", timeoutMs: 86_400_000 }), node("slow", "test.gate", { key }), node("after")],
        ["trigger→ask", "trigger→slow", "ask:approved→after"],
      );
      const workflowId = await published(def);
      const { run: started } = await startRun(database.prisma, testCatalog, owner, workflowId, {});
      // The approval is open and the other branch's slow call is in flight: the run is running.
      await gate(key).entered;
      const [waitpoint] = (await getRun(database.prisma, owner, started.id)).waitpoints;
      expect((await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: started.id } })).status).toBe("running");
      await completeWaitpoint(database.prisma, { caller: owner }, waitpoint!.id, { approved: true });
      gate(key).release();
      // Without the decision's wake-up the run would sleep until the 24 h timeout.
      await waitFor(started.id, ["succeeded"], 10_000);
      expect(await records(started.id)).toEqual(["after@#1:succeeded", "ask@#1:succeeded", "slow@#1:succeeded"]);
    });

    it("does not let another company decide", async () => {
      const { waitpointId } = await parkedApproval();
      const other = await seedCompany(database.prisma, "Outsider");
      await expect(completeWaitpoint(database.prisma, { caller: other.owner }, waitpointId, { approved: true })).rejects.toThrow(/not found/);
    });
  });

  describe("failures and retries", () => {
    it("fails a step whose template does not resolve, naming the expression", async () => {
      const result = await run(definition([node("pause", "control.wait", { until: "{{trigger.payload.when}}" })], ["trigger→pause"]));
      expect(result).toMatchObject({ status: "failed", errorCode: "E_TEMPLATE" });
      expect(result.steps).toEqual(["pause@#1:failed(E_TEMPLATE)"]);
      const run_ = await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: result.id } });
      expect(run_.errorMessage).toContain("{{trigger.payload.when}}");
    });

    it("fails a WAIT whose until expression gives no date-time with offset, naming the node and the value", async () => {
      const def = definition([node("pause", "control.wait", { until: "{{trigger.payload.when}}" })], ["trigger→pause"]);
      for (const when of ["2020-01-01T00:00:00", 1_700_000_000_000]) {
        const result = await run(def, { when });
        expect(result).toMatchObject({ status: "failed", errorCode: "E_VALIDATION" });
        expect(result.steps).toEqual(["pause@#1:failed(E_VALIDATION)"]);
        const failed = await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: result.id } });
        expect(failed.errorMessage).toContain("pause: ");
        expect(failed.errorMessage).toContain(JSON.stringify(when));
      }
    });

    it("keeps a step error's remediation and retryable flag, for the API and the run page", async () => {
      const remediation = "Resume it in Settings > Integrations, then replay the run";
      const result = await run(definition([node("post", "test.fail", { code: "E_CONNECTION_PAUSED", remediation })], ["trigger→post"]));
      const detail = await getRun(database.prisma, owner, result.id);
      expect(detail.steps[0]!.error).toEqual({ code: "E_CONNECTION_PAUSED", message: "failed with E_CONNECTION_PAUSED", remediation, retryable: false });
      expect(detail.error).toEqual({ code: "E_CONNECTION_PAUSED", message: "failed with E_CONNECTION_PAUSED", remediation });
    });

    const retry = (maxAttempts: number) => ({ retry: { maxAttempts, backoff: { initialMs: 50, factor: 2, maxMs: 200 }, jitter: false } });

    it("retries a retryable error with backoff, then succeeds, recording every attempt", async () => {
      const key = unique("flaky");
      const result = await run(definition([node("call", "test.flaky", { key, failTimes: 2 }, retry(3))], ["trigger→call"]));
      expect(result.status).toBe("succeeded");
      expect(result.steps).toEqual(["call@#1:failed(E_PROVIDER)", "call@#2:failed(E_PROVIDER)", "call@#3:succeeded"]);
    });

    it("turns a rate limit into a durable wait for the time asked, without a retry policy or using up retries", async () => {
      const key = unique("limited");
      const result = await run(definition([node("call", "test.rateLimited", { key, times: 2 })], ["trigger→call"]));
      expect(result.status).toBe("succeeded");
      expect(result.steps).toEqual(["call@#1:failed(E_RATE_LIMITED)", "call@#2:failed(E_RATE_LIMITED)", "call@#3:succeeded"]);
    });

    it("fails a run at its time limit even while it waits, closing the wait", async () => {
      const workflowId = await published(
        definition([node("pause", "control.wait", { durationMs: 3_600_000 }), node("after")], ["trigger→pause", "pause→after"]),
      );
      const { run: started } = await startRun(database.prisma, testCatalog, owner, workflowId, { timeoutMs: 60_000 }, undefined, testClock);
      await waitFor(started.id, ["waiting"]);
      testClock.advance(60_000);
      const finished = await waitFor(started.id, ["failed"], 10_000);
      expect(finished.errorCode).toBe("E_TIMEOUT");
      expect(await records(started.id)).toEqual(["pause@#1:failed(E_TIMEOUT)"]);
    });

    it("fails the run once retries are exhausted", async () => {
      const key = unique("flaky");
      const result = await run(definition([node("call", "test.flaky", { key, failTimes: 5 }, retry(2)), node("next")], ["trigger→call", "call→next"]));
      expect(result).toMatchObject({ status: "failed", errorCode: "E_PROVIDER" });
      expect(result.steps).toEqual(["call@#1:failed(E_PROVIDER)", "call@#2:failed(E_PROVIDER)"]);
    });

    it("does not retry a fatal error", async () => {
      const result = await run(definition([node("bad", "test.fail", { code: "E_VALIDATION" }, retry(3))], ["trigger→bad"]));
      expect(result).toMatchObject({ status: "failed", errorCode: "E_VALIDATION" });
      expect(result.steps).toEqual(["bad@#1:failed(E_VALIDATION)"]);
    });

    it("continues on the error handle when the node continues on error", async () => {
      const def = definition(
        [node("bad", "test.fail", { code: "E_PROVIDER" }, { continueOnError: true }), node("recover"), node("normal")],
        ["trigger→bad", edge("bad:error→recover"), "bad→normal"],
      );
      const result = await run(def);
      expect(result.status).toBe("succeeded");
      expect(result.steps).toEqual(["bad@#1:failed(E_PROVIDER)", "normal@#1:skipped", "recover@#1:succeeded"]);
    });
  });

  describe("undo", () => {
    async function connection() {
      await database.prisma.app.upsert({ where: { id: "test" }, create: { id: "test", name: "Test" }, update: {} });
      return database.prisma.credential.create({
        data: { companyId: owner.companyId, appId: "test", type: "apikey", keyId: "k1", ciphertext: "sealed", displayName: unique("conn") },
      });
    }
    async function undoSettled(runId: string) {
      for (let i = 0; i < 750; i++) {
        const request = await database.prisma.runUndo.findFirst({ where: { runId }, orderBy: { createdAt: "desc" } });
        if (request && (request.status === "succeeded" || request.status === "failed")) return request;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`the undo of run ${runId} did not finish`);
    }
    const undoneOf = (runId: string) => undone.filter((u) => u.externalRef.startsWith(`${runId}:`));

    it("undoes a finished run's effects on the worker, newest first, through the connections that made them, and only once", async () => {
      const [first, second] = [await connection(), await connection()];
      const { id, status } = await run(
        definition(
          [node("a", "test.undoable", { key: "a" }, { connectionId: first.id }), node("b", "test.undoable", { key: "b" }, { connectionId: second.id })],
          ["trigger→a", "a→b"],
        ),
      );
      expect(status).toBe("succeeded");
      const preview = await previewUndo(database.prisma, testCatalog, owner, id);
      expect(preview).toMatchObject({ canUndo: true, reason: null, request: null });
      expect(preview.effects.map((e) => [e.nodeId, e.state, e.description])).toEqual([
        ["b", "to_undo", `Delete ${id}:b`],
        ["a", "to_undo", `Delete ${id}:a`],
      ]);
      // What it answers is the state right after queuing: a fast worker may be done already.
      expect((await requestUndo(database.prisma, testCatalog, owner, id)).queued).toBe(true);
      expect((await undoSettled(id)).status).toBe("succeeded");
      expect(undoneOf(id)).toEqual([
        { externalRef: `${id}:b`, connectionId: second.id },
        { externalRef: `${id}:a`, connectionId: first.id },
      ]);
      const effects = await database.prisma.runEffect.findMany({ where: { runId: id } });
      expect(effects.map((e) => e.status)).toEqual(["undone", "undone"]);

      // A second undo does nothing more.
      const again = await requestUndo(database.prisma, testCatalog, owner, id);
      expect(again.queued).toBe(false);
      expect(again.effects.every((e) => e.state === "undone" && e.undoneBy !== null)).toBe(true);
      expect(undoneOf(id)).toHaveLength(2);
    });

    it("reports a failed undo on its effect, goes on with the others, and retries only that one when asked again", async () => {
      const conn = await connection();
      const def = definition(
        [node("a", "test.undoable", { key: "a" }, { connectionId: conn.id }), node("b", "test.undoable", { key: "b" }, { connectionId: conn.id })],
        ["trigger→a", "a→b"],
      );
      const { id } = await run(def);
      undoFaults.set(`${id}:b`, "The provider is down");
      await requestUndo(database.prisma, testCatalog, owner, id);
      expect((await undoSettled(id)).status).toBe("failed");
      expect(undoneOf(id).map((u) => u.externalRef)).toEqual([`${id}:a`]);
      const b = await database.prisma.runEffect.findFirstOrThrow({ where: { runId: id, nodeId: "b" } });
      expect(b).toMatchObject({
        status: "completed",
        undoneAt: null,
        undoErrorCode: "E_PROVIDER",
        undoErrorMessage: "The provider is down",
        undoErrorRemediation: "Try again later",
      });

      const failed = await previewUndo(database.prisma, testCatalog, owner, id);
      expect(failed.effects.map((e) => [e.nodeId, e.state, e.error?.code ?? null])).toEqual([
        ["b", "failed", "E_PROVIDER"],
        ["a", "undone", null],
      ]);
      expect((await requestUndo(database.prisma, testCatalog, owner, id)).queued).toBe(true);
      expect((await undoSettled(id)).status).toBe("succeeded");
      expect(undoneOf(id).map((u) => u.externalRef)).toEqual([`${id}:a`, `${id}:b`]);
    });

    it("refuses to undo a run that has not finished, with a clear message", async () => {
      const workflowId = await published(definition([node("ask", "control.approval", { message: "Go?", timeoutMs: 60_000 })], ["trigger→ask"]));
      const { run: started } = await startRun(database.prisma, testCatalog, owner, workflowId, {});
      await waitFor(started.id, ["waiting"]);
      const refused = await requestUndo(database.prisma, testCatalog, owner, started.id).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(AppError);
      expect(refused).toMatchObject({
        code: "conflict",
        message: expect.stringContaining("only a finished run (succeeded, failed or cancelled) can be undone"),
      });
      await cancelRun(database.prisma, owner, started.id);
    });
  });

  describe("policy", () => {
    it("fails a step whose type the workflow's allowlist leaves out with E_POLICY_BLOCKED and the remediation", async () => {
      const workflowId = await published(
        definition([node("ok", "core.noop", { value: 1 }), node("counted", "test.count", { key: unique("c") })], ["trigger→ok", "ok→counted"]),
      );
      await setWorkflowPolicy(database.prisma, testCatalog, owner, { workflowId, policy: { allow: ["core"] } });
      const { run: started } = await startRun(database.prisma, testCatalog, owner, workflowId, {});
      const finished = await waitFor(started.id, ["succeeded", "failed"]);
      expect(finished.errorCode).toBe("E_POLICY_BLOCKED");
      expect(await records(started.id)).toEqual(["counted@#1:failed(E_POLICY_BLOCKED)", "ok@#1:succeeded"]);
      const step = await database.prisma.workflowRunStep.findFirstOrThrow({ where: { runId: started.id, nodeId: "counted" } });
      expect(step.errorRemediation).toBe("An admin can allow test.count in Settings > Policy");
      expect(step.errorRetryable).toBe(false);
    });

    it("keeps the policy a run started with: a change made while it waits does not apply to it", async () => {
      const def = definition(
        [node("ask", "control.approval", { message: "Go?", timeoutMs: 60_000 }), node("counted", "test.count", { key: unique("c") })],
        ["trigger→ask", "ask:approved→counted"],
      );
      const allowedThenBlocked = await published(def);
      const { run: first } = await startRun(database.prisma, testCatalog, owner, allowedThenBlocked, {});
      await waitFor(first.id, ["waiting"]);
      await setCompanyPolicy(database.prisma, testCatalog, owner, { blockedProviders: ["test"], blockedActions: [] });
      try {
        const { run: second } = await startRun(database.prisma, testCatalog, owner, allowedThenBlocked, {});
        await waitFor(second.id, ["waiting"]);
        for (const id of [first.id, second.id]) {
          const waitpoint = await database.prisma.waitpoint.findFirstOrThrow({ where: { runId: id } });
          await completeWaitpoint(database.prisma, { caller: owner }, waitpoint.id, { approved: true });
        }
        expect((await waitFor(first.id, ["succeeded", "failed"])).status).toBe("succeeded");
        expect((await waitFor(second.id, ["succeeded", "failed"])).errorCode).toBe("E_POLICY_BLOCKED");
        const snapshots = await database.prisma.workflowRun.findMany({ where: { id: { in: [first.id, second.id] } }, select: { id: true, policy: true } });
        expect(Object.fromEntries(snapshots.map((r) => [r.id, r.policy]))).toEqual({
          [first.id]: { company: { blockedProviders: [], blockedActions: [] }, workflow: null },
          [second.id]: { company: { blockedProviders: ["test"], blockedActions: [] }, workflow: null },
        });
      } finally {
        await setCompanyPolicy(database.prisma, testCatalog, owner, { blockedProviders: [], blockedActions: [] });
      }
    });
  });

  describe("run control", () => {
    it("cancelled during a call with effects, records the call's outcome and flags the run until it is known", async () => {
      const key = unique("inflight");
      const workflowId = await published(definition([node("post", "test.effectGate", { key }), node("after")], ["trigger→post", "post→after"]));
      const { run: started } = await startRun(database.prisma, testCatalog, owner, workflowId, {});
      await gate(key).entered;
      await cancelRun(database.prisma, owner, started.id);
      const flagged = await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: started.id }, include: { effects: true } });
      expect(flagged).toMatchObject({ status: "cancelled", needsAttention: true });
      expect(flagged.effects.map((e) => e.status)).toEqual(["unknown"]);
      gate(key).release();
      await expect.poll(() => records(started.id), { timeout: 10_000 }).toEqual(["post@#1:succeeded"]);
      const settled = await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: started.id }, include: { effects: true, steps: true } });
      expect(settled).toMatchObject({ status: "cancelled", needsAttention: false });
      expect(settled.effects.map((e) => e.status)).toEqual(["completed"]);
      expect(settled.steps[0]!.output).toEqual({ posted: true });
    });

    it("cancels a waiting run", async () => {
      const workflowId = await published(definition([node("pause", "control.wait", { durationMs: 60_000 }), node("after")], ["trigger→pause", "pause→after"]));
      const { run: started } = await startRun(database.prisma, testCatalog, owner, workflowId, {});
      await waitFor(started.id, ["waiting"]);
      await cancelRun(database.prisma, owner, started.id);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await waitFor(started.id, ["cancelled"])).errorCode).toBe("E_CANCELLED");
      expect(await records(started.id)).toEqual(["pause@#1:cancelled"]);
    });

    it("replays from the failed step, reusing the steps before it", async () => {
      const before = unique("before");
      const flaky = unique("flaky");
      const def = definition(
        [node("first", "test.count", { key: before }), node("call", "test.flaky", { key: flaky, failTimes: 1 }), node("last")],
        ["trigger→first", "first→call", "call→last"],
      );
      const failed = await run(def);
      expect(failed.steps).toEqual(["call@#1:failed(E_PROVIDER)", "first@#1:succeeded"]);
      const replay = await replayRun(database.prisma, owner, failed.id);
      await waitFor(replay.id, ["succeeded"]);
      expect(await records(replay.id)).toEqual(["call@#1:succeeded", "first@#1:succeeded", "last@#1:succeeded"]);
      expect(calls.get(before)).toBe(1);
      expect((await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: replay.id } })).replayOfRunId).toBe(failed.id);
    });

    it("runs a dry run of a never-published draft again as a dry run of the current draft", async () => {
      const key = unique("effect");
      const workflow = await createWorkflow(database.prisma, testCatalog, owner, {
        name: unique("draft"),
        definition: definition([node("act", "test.effect", { key })], ["trigger→act"]),
      });
      const { run: dry } = await startRun(database.prisma, testCatalog, owner, workflow.id, { version: "draft", dryRun: true });
      await waitFor(dry.id, ["succeeded"]);
      const again = await rerunOnLatest(database.prisma, testCatalog, owner, dry.id);
      expect(again).toMatchObject({ dryRun: true, version: "draft" });
      await waitFor(again.id, ["succeeded"]);
      expect(await database.prisma.runEffect.count({ where: { runId: again.id } })).toBe(0);
    });

    it("returns the existing run for a repeated idempotency key", async () => {
      const workflowId = await published(definition([node("a")], ["trigger→a"]));
      const first = await startRun(database.prisma, testCatalog, owner, workflowId, { idempotencyKey: "order-42" });
      const second = await startRun(database.prisma, testCatalog, owner, workflowId, { idempotencyKey: "order-42" });
      expect(first.created).toBe(true);
      expect(second).toMatchObject({ created: false, run: { id: first.run.id } });
      const concurrent = await Promise.all([1, 2, 3].map(() => startRun(database.prisma, testCatalog, owner, workflowId, { idempotencyKey: "order-43" })));
      expect(new Set(concurrent.map((c) => c.run.id)).size).toBe(1);
    });

    it("queues runs beyond the workflow's concurrency limit and runs them in order", async () => {
      const workflowId = await published(definition([node("pause", "control.wait", { durationMs: 150 })], ["trigger→pause"]), { concurrencyLimit: 1 });
      const started = [];
      for (let i = 0; i < 3; i++) started.push((await startRun(database.prisma, testCatalog, owner, workflowId, {})).run.id);
      let maxActive = 0;
      const watch = setInterval(() => {
        void database.prisma.workflowRun
          .count({ where: { workflowId, status: { in: ["running", "waiting"] } } })
          .then((n) => (maxActive = Math.max(maxActive, n)));
      }, 10);
      const finished = await Promise.all(started.map((id) => waitFor(id, ["succeeded"])));
      clearInterval(watch);
      expect(maxActive).toBe(1);
      const order = [...finished].sort((a, b) => a.finishedAt!.getTime() - b.finishedAt!.getTime()).map((r) => r.id);
      expect(order).toEqual(started);
    });

    it("starts a test run of the draft and a dry run with no side effects", async () => {
      const key = unique("effect");
      const workflow = await createWorkflow(database.prisma, testCatalog, owner, {
        name: unique("dry"),
        definition: definition([node("act", "test.effect", { key }), node("wait", "control.wait", { durationMs: 60_000 })], ["trigger→act", "act→wait"]),
      });
      const { run: dry } = await startRun(database.prisma, testCatalog, owner, workflow.id, { version: "draft", dryRun: true });
      await waitFor(dry.id, ["succeeded"]);
      expect(await records(dry.id)).toEqual(["act@#1:succeeded", "wait@#1:succeeded"]);
      const act = await database.prisma.workflowRunStep.findFirstOrThrow({ where: { runId: dry.id, nodeId: "act" } });
      expect(act.output).toEqual({ key });
      expect([...effects.keys()].length === 0 || ![...effects.keys()].some((k) => k.includes(dry.id))).toBe(true);
      expect(await database.prisma.runEffect.count({ where: { runId: dry.id } })).toBe(0);
    });
  });

  return { database: () => database, owner: () => owner, published, waitFor, records, unique, run };
}
