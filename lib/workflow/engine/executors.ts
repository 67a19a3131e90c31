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
  /**
   * Puts the effect on record (the step's running record and a pending RunEffect): an executor
   * that announcesEffect calls it immediately before its provider call; for others the engine
   * calls it before execute. Once per attempt; a no-op for steps without effects.
   */
  beginEffect(): Promise<void>;
};

/** What undoing one recorded effect needs: the company, who started the run, and the effect's connection and reference. */
export type UndoRequest = {
  db: Db;
  companyId: string;
  userId: string | null;
  /** RunEffect.credentialId: undo goes through the connection that made the effect (null: a built-in app's). */
  connectionId: string | null;
  /** RunEffect.externalRef */
  externalRef: string;
  signal: AbortSignal;
};

/** A recorded effect as its step left it, for saying in words what undo will do. */
export type RecordedEffect = { externalRef: string | null; input: unknown; output: unknown };

export type Reconciliation = { outcome: "done"; output: unknown } | { outcome: "not_done" } | { outcome: "unknown" };

export type NodeExecutor = {
  /** Has effects outside Flowline: a RunEffect is written before and completed after the call. */
  effectful: boolean;
  /** The provider deduplicates on the idempotency key, so repeating the call after a crash is safe. */
  idempotent?: boolean;
  /**
   * Calls ctx.beginEffect() itself, right before the provider call (after resolving the
   * connection, the rate limit and a token refresh), so a crash before it leaves no effect on
   * record: the step simply runs again.
   */
  announcesEffect?: boolean;
  execute(ctx: ExecutionContext, input: Record<string, unknown>): Promise<unknown>;
  /** How its effects can be undone (RunEffect.undoStrategy / canUndo). */
  undo?: {
    strategy: "api_delete" | "api_update" | "manual" | "none";
    canUndo: boolean;
    /** Undone through the connection that made the effect (false for built-in apps, which have none). */
    needsConnection: boolean;
    /** Undoes one effect (canUndo); something already gone counts as undone, so a repeat after a crash is harmless. */
    run?(request: UndoRequest): Promise<void>;
    /**
     * What undo does ("Delete the Slack message in #general"), or for manual ones what a person
     * has to undo, with a link to it where the provider has one.
     */
    describe?(effect: RecordedEffect): { text: string; link?: string | null };
  };
  /** For dry runs: what the step would do, without doing it or decrypting credentials. */
  preview?(ctx: ExecutionContext, input: Record<string, unknown>): unknown;
  /** After a crash mid-call: did the effect happen? Providers that can check implement it. */
  reconcile?(ctx: ExecutionContext, input: Record<string, unknown>): Promise<Reconciliation>;
};
