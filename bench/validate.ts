import { catalog } from "@/lib/catalog";
import { validateDefinition } from "@/lib/workflow/validate";
import { largeDefinition } from "@/lib/workflow/test-fixtures";
import { ms, summarize } from "./stats";

const TARGET_MS = 50;

/** Validation of a realistic 500-node definition (IFs, loops, templates reading earlier steps), strict mode. */
export function benchValidate(): boolean {
  const definition = largeDefinition(500);
  const first = performance.now();
  const problems = validateDefinition(definition, { mode: "strict", catalog });
  const coldMs = performance.now() - first;
  if (problems.some((p) => p.severity === "error")) throw new Error(`the benchmark definition is invalid: ${problems[0]!.message}`);
  for (let i = 0; i < 20; i++) validateDefinition(definition, { mode: "strict", catalog });
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    validateDefinition(definition, { mode: "strict", catalog });
    samples.push(performance.now() - started);
  }
  const stats = summarize(samples);
  const met = stats.p95 < TARGET_MS;
  console.log(
    `validate 500 nodes: first call ${ms(coldMs)} (cold process), then median ${ms(stats.median)}, p95 ${ms(stats.p95)}, max ${ms(stats.max)} over ${stats.runs} runs — target p95 < ${TARGET_MS} ms: ${met ? "met" : "NOT met"}`,
  );
  return met;
}
