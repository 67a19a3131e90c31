import { describe, expect, it } from "vitest";
import { EmbeddedWorker } from "@/lib/workflow/hosts/embedded";
import { startRun } from "@/lib/workflow/runs";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { effects, testCatalog } from "../support/test-nodes";
import { describeScenarios } from "./scenarios";

// The scenario suite on the embedded host, plus what only it has: several workers on one database.

let worker: EmbeddedWorker;
const scenarios = describeScenarios({
  async start(database) {
    worker = new EmbeddedWorker(database.prisma, { catalog: testCatalog, pollMs: 25, concurrency: 4 });
    await worker.start();
  },
  stop: () => worker.stop(),
});

describe("workers", () => {
  it("two workers racing for the same runs never execute a step twice", async () => {
    const second = new EmbeddedWorker(scenarios.database().prisma, { catalog: testCatalog, pollMs: 10, concurrency: 4 });
    await second.start();
    try {
      const keyPrefix = scenarios.unique("race");
      const workflowId = await scenarios.published(definition([node("act", "test.effect", { key: keyPrefix }), node("after")], ["trigger→act", "act→after"]));
      const ids = [];
      for (let i = 0; i < 20; i++) ids.push((await startRun(scenarios.database().prisma, testCatalog, scenarios.owner(), workflowId, {})).run.id);
      await Promise.all(ids.map((id) => scenarios.waitFor(id, ["succeeded"])));
      const effectRows = await scenarios.database().prisma.runEffect.findMany({ where: { runId: { in: ids } } });
      expect(effectRows).toHaveLength(20);
      for (const effect of effectRows) expect(effects.get(effect.idempotencyKey)).toBe(1);
      for (const id of ids) expect(await scenarios.records(id)).toEqual(["act@#1:succeeded", "after@#1:succeeded"]);
    } finally {
      await second.stop();
    }
  });
});
