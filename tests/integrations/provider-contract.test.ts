import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { catalog } from "@/lib/catalog";
import { openSecret } from "@/lib/credentials/store";
import { describeAction, executeIntegrationAction, undoEffect } from "@/lib/integrations/execute";
import type { CredentialSecret } from "@/lib/integrations/types";
import { logger } from "@/lib/log";
import { EmbeddedWorker } from "@/lib/workflow/hosts/embedded";
import { startRun } from "@/lib/workflow/runs";
import { createWorkflow, publishWorkflow } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import type { ProviderContract } from "@/fakes/contract";
import { faultControl } from "@/fakes/kit";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { setTestEnv } from "../support/env";
import { workflowFailure } from "../support/failure";
import { seedCompany } from "../support/seed";
import { createRun, randomKey, target } from "./support";

// The contract every provider of the catalog keeps, run against its fake through the real
// client: a rejected token is refreshed once, then the connection needs attention; a 429 is a
// durable wait of Retry-After; 5xx, timeouts and malformed answers are retryable provider
// errors; previews match the output schema; undo can be repeated; no secret reaches a step
// record or a log line. Faults are injected over the fake's HTTP control endpoint. The suite
// finds each provider's fakes/<id>/contract.ts by itself: a new provider gets it by existing.
// Built-in apps (the Doc Manager) have no network edge and no connection: tests/documents covers them.
const testable = catalog.providers.filter((provider) => !provider.auth.builtin);

const contracts = await Promise.all(
  testable.map(async (provider) => ({
    provider,
    contract: ((await import(`../../fakes/${provider.id}/contract.ts`)) as { contract: ProviderContract }).contract,
  })),
);

describe.each(contracts)("provider contract: $provider.name", ({ provider, contract }) => {
  let database: TestDatabase;
  let fake: Awaited<ReturnType<ProviderContract["start"]>>;
  let control: ReturnType<typeof faultControl>;
  let companyId: string;
  let owner: Awaited<ReturnType<typeof seedCompany>>["owner"];
  const logLines: string[] = [];
  const sample = () => ({ ...target(contract.sample.nodeType), input: contract.sample.input });

  beforeAll(async () => {
    fake = await contract.start();
    control = faultControl(fake.url);
    setTestEnv({
      ...fake.env,
      APP_URL: "http://flowline.test",
      ENCRYPTION_KEY: process.env.ENCRYPTION_KEY ?? randomKey(),
      NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? randomBytes(32).toString("base64"),
      LOG_LEVEL: "debug",
    });
    database = await openTestDatabase();
    ({ owner } = await seedCompany(database.prisma, `Contract${provider.id}`));
    companyId = owner.companyId;
    await database.prisma.credential.deleteMany({ where: { companyId } });
    const stream = (logger as unknown as Record<symbol, { write(line: string): boolean }>)[pino.symbols.streamSym]!;
    const write = stream.write.bind(stream);
    vi.spyOn(stream, "write").mockImplementation((line: string) => {
      logLines.push(line);
      return write(line);
    });
  }, 60_000);
  afterAll(async () => {
    vi.restoreAllMocks();
    setTestEnv({ LOG_LEVEL: "warn" });
    await database.close();
    await fake.close();
  });

  async function call(extra: { timeoutMs?: number } = {}) {
    const { runId, stepId } = await createRun(database.prisma, owner);
    return executeIntegrationAction(database.prisma, { companyId, userId: null, ...sample(), runId, stepId, idempotencyKey: `${runId}:${stepId}`, ...extra });
  }
  // Providers whose tokens refresh get one refresh per rejection; API keys (Resend) cannot.
  const refreshable = Boolean(provider.auth.oauth2?.refresh);
  const refreshes = async () =>
    contract.tokenMethod ? (await control.calls(contract.tokenMethod)).filter((c) => c.params.grant_type === "refresh_token").length : 0;

  it("a rejected token is refreshed once and the call retried; when that cannot fix it, the connection needs attention", async () => {
    expect(Boolean(contract.tokenMethod), "tokenMethod is given exactly when the OAuth refreshes").toBe(refreshable);
    const connectionId = await fake.connect(database.prisma, companyId);
    await control.reset();
    if (refreshable) {
      await control.fail(contract.sample.method, { type: "http", status: 401 });
      await call();
      expect(await refreshes()).toBe(1);
    }

    await control.fail(contract.sample.method, { type: "http", status: 401 }, refreshable ? 2 : 1);
    const error = await workflowFailure(call());
    expect(error.code).toBe("E_CREDENTIAL_INVALID");
    expect(error.remediation).toBe(`Reconnect ${provider.name} in Settings > Integrations`);
    expect(await refreshes()).toBe(refreshable ? 2 : 0);
    expect((await database.prisma.credential.findUniqueOrThrow({ where: { id: connectionId } })).status).toBe("needs_attention");
    await database.prisma.credential.deleteMany({ where: { companyId } });
  });

  it("answers 5xx, timeouts and malformed bodies with retryable provider errors, and 429 with E_RATE_LIMITED and its Retry-After", async () => {
    await fake.connect(database.prisma, companyId);
    await control.reset();
    await control.fail(contract.sample.method, { type: "http", status: 503 });
    expect(await workflowFailure(call())).toMatchObject({ code: "E_PROVIDER", retryable: true });
    await control.fail(contract.sample.method, { type: "timeout", ms: 2_000 });
    expect(await workflowFailure(call({ timeoutMs: 200 }))).toMatchObject({ code: "E_TIMEOUT", retryable: true });
    await control.fail(contract.sample.method, { type: "malformed" });
    expect(await workflowFailure(call())).toMatchObject({ code: "E_PROVIDER", retryable: true });
    await control.fail(contract.sample.method, { type: "ratelimit", retryAfter: 7 });
    expect(await workflowFailure(call())).toMatchObject({ code: "E_RATE_LIMITED", retryAfterMs: 7_000 });
    await database.prisma.credential.deleteMany({ where: { companyId } });
  });

  it("in a run, a 429 is a durable wait of Retry-After, not a failure, and no secret reaches a step record, an effect or a log line", async () => {
    const connectionId = await fake.connect(database.prisma, companyId);
    const worker = new EmbeddedWorker(database.prisma, { catalog, pollMs: 25 });
    await worker.start();
    try {
      await control.reset();
      await control.fail(contract.sample.method, { type: "ratelimit", retryAfter: 1 });
      const workflow = await createWorkflow(database.prisma, catalog, owner, {
        name: `contract ${provider.id}`,
        definition: definition([node("act", contract.sample.nodeType, contract.sample.input)], ["trigger→act"]),
      });
      await publishWorkflow(database.prisma, catalog, owner, workflow.id);
      const { run } = await startRun(database.prisma, catalog, owner, workflow.id, {});
      let finished;
      for (let i = 0; i < 400 && !finished; i++) {
        const current = await database.prisma.workflowRun.findUniqueOrThrow({
          where: { id: run.id },
          include: { steps: { orderBy: { attempt: "asc" } }, effects: true },
        });
        if (["succeeded", "failed"].includes(current.status)) finished = current;
        else await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(finished?.status).toBe("succeeded");
      const [limited, done] = finished!.steps;
      expect([limited?.status, limited?.errorCode, done?.status]).toEqual(["failed", "E_RATE_LIMITED", "succeeded"]);
      expect(done!.startedAt.getTime() - limited!.finishedAt!.getTime()).toBeGreaterThanOrEqual(950);

      const row = await database.prisma.credential.findUniqueOrThrow({ where: { id: connectionId } });
      const secret = openSecret<CredentialSecret>(row);
      const secrets = [secret.accessToken, secret.refreshToken].filter((s): s is string => typeof s === "string" && s.length > 0);
      const written = JSON.stringify([finished!.steps, finished!.effects]) + logLines.join("");
      for (const value of secrets) expect(written).not.toContain(value);
    } finally {
      await worker.stop();
      await database.prisma.credential.deleteMany({ where: { companyId } });
    }
  });

  it("undo can be repeated: the second finds nothing left to do", async () => {
    const connectionId = await fake.connect(database.prisma, companyId);
    const info = describeAction(target(contract.sample.nodeType));
    const result = await call();
    const undo = () =>
      undoEffect(database.prisma, { companyId, userId: null, ...target(contract.sample.nodeType), connectionId, externalRef: result.externalRef ?? "" });
    if (info.canUndo) {
      await undo();
      await undo();
    } else {
      expect((await workflowFailure(undo())).code).toBe("E_VALIDATION");
      expect((await workflowFailure(undo())).code).toBe("E_VALIDATION");
    }
    await database.prisma.credential.deleteMany({ where: { companyId } });
  });

  it("every action's example config is valid and its preview matches its output schema", () => {
    for (const action of provider.actions) {
      const input = action.config.parse(action.example);
      const preview = action.preview(input, {
        runId: "run_1",
        stepId: "step_1",
        appUrl: "http://flowline.test",
        runUrl: "http://flowline.test/runs/run_1",
        idempotencyKey: "key",
        defaults: { channel: null },
      });
      expect(action.output.safeParse(preview).success, `${provider.id}.${action.id}`).toBe(true);
    }
  });
});
