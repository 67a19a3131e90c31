import type { NodeTypeSpec } from "@/lib/workflow/node-types";
import { describeAction, executeIntegrationAction, reconcileIntegrationAction, undoEffect, type ActionTarget } from "@/lib/integrations/execute";
import type { ExecutionContext, RecordedEffect } from "@/lib/workflow/engine/executors";
import type { AnyAction, AnyIntegration } from "@/lib/integrations/types";

// Every provider action as a workflow node type "<provider>.<action>": its zod config and output,
// one "out" handle, and an executor that goes through executeIntegrationAction (credential
// resolution, rate limits, token refresh, error mapping). The engine keeps the step records and
// the RunEffect books.

export const actionNodeType = (provider: Pick<AnyIntegration, "id">, action: { id: string }) => `${provider.id}.${action.id}`;

function request(target: ActionTarget, ctx: ExecutionContext, input: Record<string, unknown>, dryRun: boolean) {
  return {
    ...target,
    companyId: ctx.companyId,
    userId: ctx.userId,
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

const parsedOrNull = (schema: AnyAction["config"], value: unknown) => {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
};

/** The undo in words: the action's own sentence, or one from its strategy. */
function describeUndo({ provider, action }: ActionTarget, effect: RecordedEffect): { text: string; link: string | null } {
  const output = parsedOrNull(action.output, effect.output);
  const own = action.undo.describe?.({ externalRef: effect.externalRef, input: parsedOrNull(action.config, effect.input), output });
  const what = `${provider.name} "${action.name}"${effect.externalRef ? ` (${effect.externalRef})` : ""}`;
  const fallback = {
    api_delete: `Delete what ${what} made`,
    api_update: `Restore what ${what} changed`,
    manual: `Undo ${what} by hand in ${provider.name}`,
    none: "Nothing to undo",
  }[action.undo.strategy];
  return { text: own ?? fallback, link: action.undo.link?.({ externalRef: effect.externalRef, output }) ?? null };
}

export function providerNodeTypes(provider: AnyIntegration): NodeTypeSpec[] {
  return provider.actions.map((action) => {
    const target: ActionTarget = { provider, action };
    const info = describeAction(target);
    return {
      type: actionNodeType(provider, action),
      label: action.name,
      category: provider.id,
      description: action.description,
      version: 1,
      config: action.config,
      example: action.example as Record<string, unknown>,
      outputs: [{ id: "out" }],
      output: action.output,
      executor: {
        effectful: info.effectful,
        idempotent: info.idempotency !== "none",
        undo: {
          strategy: info.undoStrategy,
          canUndo: info.canUndo,
          needsConnection: !provider.auth.builtin,
          run: ({ db, ...request }) => undoEffect(db, { ...target, ...request }),
          describe: (effect) => describeUndo(target, effect),
        },
        // The effect goes on record right before the provider call, not before resolving the
        // connection: a crash in resolution, rate limiting or refresh is then no unknown effect.
        announcesEffect: true,
        execute: async (ctx, input) => {
          const result = await executeIntegrationAction(ctx.db, {
            ...request(target, ctx, input, false),
            // The effect's record names the connection, so a reconcile after a crash asks through it.
            beforeCall: ({ connectionId }) => {
              ctx.reportEffect({ credentialId: connectionId });
              return ctx.beginEffect();
            },
          });
          ctx.reportEffect({ credentialId: result.connectionId, externalRef: result.externalRef });
          return result.output;
        },
        preview: async (ctx, input) => (await executeIntegrationAction(ctx.db, request(target, ctx, input, true))).output,
        reconcile: (ctx, input) => reconcileIntegrationAction(ctx.db, request(target, ctx, input, false)),
      },
    };
  });
}
