// A worker process for the crash test: it runs runs from the given Postgres database until it is
// killed (SIGKILL, mid-step, on purpose). Its effectful test action appends to a file, which
// survives the kill, so the test can count how often each effect really happened.
import fs from "node:fs";
import { z } from "zod";
import { openServer } from "@/lib/db/open";
import { registerExecutor } from "@/lib/workflow/engine/executors";
import { EmbeddedWorker } from "@/lib/workflow/hosts/embedded";
import { registerNodeTypes } from "@/lib/workflow/node-types";

const [url, effectsFile] = process.argv.slice(2) as [string, string];
const performed = () => (fs.existsSync(effectsFile) ? fs.readFileSync(effectsFile, "utf8").split("\n") : []);

registerNodeTypes([{ type: "test.fileEffect", label: "File effect", category: "test", version: 1, config: z.object({}), outputs: [{ id: "out" }], output: z.object({}) }]);
registerExecutor("test.fileEffect", {
  effectful: true,
  execute: async (ctx) => {
    // widen the window in which a kill lands between "effect done" and "step recorded"
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
    fs.appendFileSync(effectsFile, `${ctx.idempotencyKey}\n`);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
    return { key: ctx.idempotencyKey };
  },
  // The provider can be asked whether the effect happened: here, the file.
  reconcile: async (ctx) => (performed().includes(ctx.idempotencyKey) ? { outcome: "done", output: { key: ctx.idempotencyKey, reconciled: true } } : { outcome: "not_done" }),
});

const database = await openServer(url, { poolSize: 4 });
const worker = new EmbeddedWorker(database.prisma, { pollMs: 10, leaseMs: 1000, concurrency: 4 });
await worker.start();
process.stdout.write("ready\n");
