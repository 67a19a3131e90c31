import { catalog } from "@/lib/catalog";
import type { Caller } from "@/lib/auth/roles";
import type { Database } from "@/lib/db/open";
import { createWorkflow, publishWorkflow } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { summarize } from "./stats";

// What several engine benchmarks build on: workflows to run, and reading runs back when done.

/** trigger → s0 → s1 → …: a chain of no-op steps. */
export function chain(steps: number) {
  const nodes = Array.from({ length: steps }, (_, i) => node(`s${i}`, "core.noop", { value: i }));
  const edges = nodes.map((n, i) => (i === 0 ? `trigger→${n.id}` : `s${i - 1}→${n.id}`));
  return definition(nodes, edges);
}

export async function publishedWorkflow(database: Database, owner: Caller, def: ReturnType<typeof definition>) {
  const workflow = await createWorkflow(database.prisma, catalog, owner, { name: `bench ${Date.now()}`, definition: def });
  await publishWorkflow(database.prisma, catalog, owner, workflow.id);
  return workflow.id;
}

/** Waits for every run to finish; seconds from `started` until then, and start-to-first-step from the records. */
export async function drainedRuns(database: Database, ids: string[], started: number) {
  for (;;) {
    const open = await database.prisma.workflowRun.count({ where: { id: { in: ids }, status: { notIn: ["succeeded", "failed"] } } });
    if (open === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const drained = (performance.now() - started) / 1000;
  const runs = await database.prisma.workflowRun.findMany({
    where: { id: { in: ids } },
    select: { createdAt: true, steps: { where: { nodeId: "s0" }, select: { startedAt: true } } },
  });
  return { drained, latency: summarize(runs.map((r) => r.steps[0]!.startedAt.getTime() - r.createdAt.getTime())) };
}
