import { randomBytes } from "node:crypto";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { AppRouterContext } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { PathnameContext, SearchParamsContext } from "next/dist/shared/lib/hooks-client-context.shared-runtime";
import { runAsCaller } from "@/lib/auth/session";
import type { Caller } from "@/lib/auth/roles";
import type { Db } from "@/lib/db";
import { saveConnection, type ConnectionOwner } from "@/lib/credentials/store";
import { startFakeSlack, type FakeSlack, type FakeSlackOptions } from "@/fakes/slack/server";
import { catalog } from "@/lib/catalog";
import { executeIntegrationAction, type ExecuteActionRequest } from "@/lib/integrations/execute";
import { setTestEnv } from "../support/env";

// Test wiring: a fake Slack on a free port, and the app's env pointing at it (fresh keys per file).

export const randomKey = () => randomBytes(32).toString("base64");

/** The app's env for a test file: a provider's variables pointing at its fake, plus fresh keys. */
export function setProviderTestEnv(vars: Record<string, string>, logLevel = "warn"): void {
  setTestEnv({
    ...vars,
    APP_URL: "http://flowline.test",
    ENCRYPTION_KEY: process.env.ENCRYPTION_KEY ?? randomKey(),
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? randomBytes(32).toString("base64"),
    LOG_LEVEL: logLevel,
  });
}

export async function startSlackForTests(options: FakeSlackOptions & { logLevel?: string } = {}): Promise<FakeSlack> {
  const fake = await startFakeSlack(options);
  setProviderTestEnv(
    {
      SLACK_API_URL: fake.apiUrl,
      // The fake serves downloads on 127.0.0.1, which user-given URLs may reach only when allowed explicitly.
      FLOWLINE_OUTBOUND_ALLOW: new URL(fake.url).host,
      SLACK_CLIENT_ID: fake.clientId,
      SLACK_CLIENT_SECRET: fake.clientSecret,
    },
    options.logLevel,
  );
  return fake;
}

let accounts = 0;

/** Stores a Slack connection for a fake bot token, as a pasted token would. */
export async function connectSlack(
  db: Db,
  owner: ConnectionOwner,
  token: string,
  extra: { displayName?: string; accountId?: string; expiresAt?: Date | null; refreshToken?: string; createdById?: string | null } = {},
) {
  return saveConnection(db, {
    owner,
    app: { id: "slack", name: "Slack" },
    type: extra.refreshToken ? "oauth" : "apikey",
    secret: { accessToken: token, tokenType: "bot", ...(extra.refreshToken ? { refreshToken: extra.refreshToken } : {}) },
    displayName: extra.displayName ?? "Fake Workspace",
    accountId: extra.accountId ?? `T0ACCOUNT${++accounts}`,
    scopes: ["chat:write"],
    tokenExpiresAt: extra.expiresAt ?? null,
    createdById: extra.createdById ?? null,
  });
}

let runs = 0;
/** A real run and step row, so ids in requests point at something: in a new workflow, or in the one given. */
export async function createRun(db: Db, caller: Caller, workflowId?: string) {
  const definition = { trigger: { type: "manual", config: {} }, nodes: [], edges: [] };
  const workflow = workflowId
    ? { id: workflowId }
    : await db.workflow.create({ data: { companyId: caller.companyId, name: `wf ${++runs}`, draft: definition } });
  const version = await db.workflowVersion.create({ data: { workflowId: workflow.id, number: ++runs, definition } });
  const run = await db.workflowRun.create({
    data: { companyId: caller.companyId, workflowId: workflow.id, versionId: version.id, triggerType: "manual", triggerPayload: {} },
  });
  const step = await db.workflowRunStep.create({ data: { runId: run.id, nodeId: "post", status: "running" } });
  return { runId: run.id, stepId: step.id };
}

/** The provider and action of a node type, as the engine's executor passes them to lib/integrations. */
export function target(nodeType: string) {
  const found = catalog.action(nodeType);
  if (!found) throw new Error(`${nodeType} is not an action of the catalog`);
  return found;
}

/** Runs one action as a step of a fresh run of the caller's company, as the engine's executor would. */
export async function executeAction(db: Db, caller: Caller, nodeType: string, input: unknown, extra: Partial<ExecuteActionRequest> = {}) {
  const { runId, stepId } = await createRun(db, caller);
  return executeIntegrationAction(db, {
    companyId: caller.companyId,
    userId: caller.userId,
    ...target(nodeType),
    input,
    runId,
    stepId,
    idempotencyKey: `${runId}:${stepId}`,
    ...extra,
  });
}

/** Settings > Integrations as the server renders it for a caller (client components get the router contexts Next.js would give). */
export async function renderSettingsPage(caller: Caller, searchParams: Record<string, string> = {}): Promise<string> {
  const { default: Page } = await import("@/app/(app)/settings/integrations/page");
  const router = { push() {}, replace() {}, refresh() {}, prefetch() {}, back() {}, forward() {}, hmrRefresh() {} };
  const page = await runAsCaller(caller, () => Page({ searchParams: Promise.resolve(searchParams) }));
  return renderToString(
    createElement(
      AppRouterContext.Provider,
      { value: router as never },
      createElement(
        PathnameContext.Provider,
        { value: "/settings/integrations" },
        createElement(SearchParamsContext.Provider, { value: new URLSearchParams(searchParams) as never }, page),
      ),
    ),
  );
}
