// `npm run bench`: speed and memory targets, measured (never asserted by timed tests).
// A subset: `npm run bench -- step start` runs the benchmarks whose name holds "step" or
// "start"; `--db=postgres` or `--db=pglite` limits the engine benchmarks to one database.
import { benchEditor } from "./editor";
import { benchEngine } from "./engine";
import { benchQueries } from "./queries";
import { benchTriggerLatency } from "./triggers";
import { benchValidate } from "./validate";

const args = process.argv.slice(2);
const db = args.find((a) => a.startsWith("--db="))?.slice("--db=".length);
const words = args.filter((a) => !a.startsWith("--"));
const wanted = (name: string) => words.length === 0 || words.some((w) => name.includes(w));

const results = [
  ...(wanted("validate 500 nodes") ? [{ name: "validate 500 nodes", met: benchValidate() }] : []),
  ...(await benchEngine({ wanted, databases: db ? [db] : ["postgres", "pglite"] })),
  ...(await benchTriggerLatency({ wanted, databases: db ? [db] : ["postgres", "pglite"] })),
  ...(wanted("editor 300 nodes") ? [await benchEditor()] : []),
  ...(wanted("runs list") && db !== "pglite" ? await benchQueries() : []),
];
const missed = results.filter((r) => !r.met).map((r) => r.name);
console.log(missed.length ? `\ntargets missed: ${missed.join(", ")}` : "\nall targets met");
process.exit(missed.length ? 1 : 0);
