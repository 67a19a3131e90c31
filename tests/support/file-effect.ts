import fs from "node:fs";
import { z } from "zod";
import { catalogLists, createCatalog } from "@/lib/catalog";

// The crash test's effectful node: it appends its idempotency key to a file, which survives a
// SIGKILL, so the test can count how often each effect really happened.
export function fileEffectCatalog(effectsFile: string) {
  const performed = () => (fs.existsSync(effectsFile) ? fs.readFileSync(effectsFile, "utf8").split("\n") : []);
  const fileEffect = {
    type: "test.fileEffect",
    label: "File effect",
    category: "test",
    version: 1,
    config: z.object({}),
    outputs: [{ id: "out" }],
    output: z.object({}),
    executor: {
      effectful: true,
      execute: async (ctx: { idempotencyKey: string }) => {
        // widen the window in which a kill lands between "effect done" and "step recorded"
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
        fs.appendFileSync(effectsFile, `${ctx.idempotencyKey}\n`);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
        return { key: ctx.idempotencyKey };
      },
      // The provider can be asked whether the effect happened: here, the file.
      reconcile: async (ctx: { idempotencyKey: string }) =>
        performed().includes(ctx.idempotencyKey)
          ? { outcome: "done" as const, output: { key: ctx.idempotencyKey, reconciled: true } }
          : { outcome: "not_done" as const },
    },
  };
  return createCatalog({ ...catalogLists, nodeTypes: [...catalogLists.nodeTypes, fileEffect] });
}
