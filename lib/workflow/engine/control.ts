import type { Db } from "@/lib/db";
import type { WorkflowRunStep } from "@/lib/generated/prisma/client";
import type { WorkflowNode } from "../definition";
import type { WorkflowError } from "../errors";

// What a node type tells the interpreter about how it runs, beside its executor: the handle a
// finished step leaves through, whether one of its handles opens a body (LOOP), and, for nodes
// that do more than one call (LOOP, WAIT, APPROVAL), how they execute, suspend and resume. Each
// control node declares this in its own module (lib/workflow/control/*), so the interpreter has
// no switch on node types: a new control node is one module and one line in the catalog.

/** Waiting: when to continue (null: only when a waitpoint is completed), and the open approvals it waits on. */
export type Wait = { wakeAt: Date | null; waitpointIds: string[] };
/** halt: stop the walk now (shutting down, or the run is no longer ours) instead of going on with other branches. */
export type Suspension = { suspend: Wait; halt?: true };
export type Failure = { fail: WorkflowError };
/** What a node's execution means for the walk: go on, wait, or fail the run. */
export type Flow = "continue" | Suspension | Failure;

/** What a control node may do while it runs: read its config, write its own records, run its body. */
export type ControlContext = {
  db: Db;
  run: { id: string; dryRun: boolean };
  node: WorkflowNode;
  iterationPath: string;
  now(): Date;
  /** The node's config with its {{…}} expressions resolved (throws E_TEMPLATE when one does not resolve). */
  config<T>(): T;
  /** This node's record at this iteration path, when an earlier walk wrote one. */
  existing: WorkflowRunStep | undefined;
  /** Writes the node's first record (running, waiting, or at once succeeded); control nodes keep their input whole. */
  open(status: "running" | "waiting" | "succeeded", values: { input: unknown; output?: unknown; startedAt: Date }): Promise<WorkflowRunStep>;
  /**
   * Completes the node's open record as succeeded. defer: it may go out with the next statement
   * (a crash before leaves the node open, and it completes again).
   */
  succeed(step: WorkflowRunStep, output: unknown, options?: { defer?: boolean }): Promise<void>;
  /** Runs the body once, for one item (LOOP). */
  runBody(index: number, item: unknown): Promise<Flow>;
};

export type NodeBehaviour = {
  /** The handle a succeeded step leaves through, from its output; "out" when left out. */
  handle?(output: unknown): string | null;
  /** The handle whose edges lead into a body the node runs once per item (LOOP's "body"). */
  body?: string;
  /**
   * A {{…}} that does not resolve gives undefined instead of failing the step (IF: a condition
   * compares a missing value rather than erroring).
   */
  lenientTemplates?: boolean;
  /** Executes the node, or resumes it from its record; without it the node type's executor runs once per attempt. */
  run?(ctx: ControlContext): Promise<Flow>;
};
