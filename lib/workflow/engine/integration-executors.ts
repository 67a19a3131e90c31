import { integrations, actionNodeType } from "@/lib/integrations/registry";
import { describeAction, executeIntegrationAction } from "@/lib/integrations/execute";
import { registerExecutor, type ExecutionContext } from "./executors";

// Integration actions run through lib/integrations (credential resolution, rate limits, token
// refresh, error mapping); the engine keeps the step records and the RunEffect books.

function request(ctx: ExecutionContext, input: Record<string, unknown>, dryRun: boolean) {
  return {
    companyId: ctx.companyId,
    userId: ctx.userId,
    nodeType: ctx.node.type,
    connectionId: ctx.node.connectionId ?? null,
    input,
    runId: ctx.runId,
    stepId: ctx.stepId,
    nodeId: ctx.node.id,
    idempotencyKey: ctx.idempotencyKey,
    dryRun,
    signal: ctx.signal,
  };
}

for (const integration of integrations) {
  for (const action of integration.actions) {
    const type = actionNodeType(integration, action);
    const info = describeAction(type)!;
    registerExecutor(type, {
      effectful: info.effectful,
      idempotent: info.idempotency !== "none",
      undo: { strategy: info.undoStrategy, canUndo: info.canUndo },
      execute: async (ctx, input) => {
        const result = await executeIntegrationAction(ctx.db, request(ctx, input, false));
        ctx.reportEffect({ credentialId: result.connectionId, externalRef: result.externalRef });
        return result.output;
      },
      preview: async (ctx, input) => (await executeIntegrationAction(ctx.db, request(ctx, input, true))).output,
    });
  }
}
