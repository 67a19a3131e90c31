import type { Db } from "@/lib/db";
import type { WorkflowNode } from "../definition";

// How a non-control node does its work. Control nodes (IF, LOOP, WAIT, APPROVAL) are the
// interpreter's own; every other node type carries an executor in its spec (core nodes, provider
// actions from lib/integrations, test nodes), and the engine finds it through the catalog.

export type ExecutionContext = {
  db: Db;
  runId: string;
  companyId: string;
  /** Who started the run, for credential resolution; null for triggers and API keys. */
  userId: string | null;
  node: WorkflowNode;
  iterationPath: string;
  attempt: number;
  /** The step record of this attempt (effectful steps), or "<run>:<node>@<iteration>#<attempt>". */
  stepId: string;
  /** Stable for the step across attempts and crashes: providers deduplicate on it. */
  idempotencyKey: string;
  signal: AbortSignal;
  /** What an effectful executor learnt about its effect: the connection used, the provider's id of what it made (for undo). */
  reportEffect(effect: { credentialId?: string | null; externalRef?: string | null }): void;
};

export type Reconciliation = { outcome: "done"; output: unknown } | { outcome: "not_done" } | { outcome: "unknown" };

export type NodeExecutor = {
  /** Has effects outside Flowline: a RunEffect is written before and completed after the call. */
  effectful: boolean;
  /** The provider deduplicates on the idempotency key, so repeating the call after a crash is safe. */
  idempotent?: boolean;
  execute(ctx: ExecutionContext, input: Record<string, unknown>): Promise<unknown>;
  /** How its effects can be undone (RunEffect.undoStrategy / canUndo). */
  undo?: { strategy: "api_delete" | "api_update" | "manual" | "none"; canUndo: boolean };
  /** For dry runs: what the step would do, without doing it or decrypting credentials. */
  preview?(ctx: ExecutionContext, input: Record<string, unknown>): unknown;
  /** After a crash mid-call: did the effect happen? Providers that can check implement it. */
  reconcile?(ctx: ExecutionContext, input: Record<string, unknown>): Promise<Reconciliation>;
};
