// `npm run bench`: speed and memory targets, measured (never asserted by timed tests).
import { benchEngine } from "./engine";
import { benchValidate } from "./validate";

const results = [{ name: "validate 500 nodes", met: benchValidate() }, ...(await benchEngine())];
const missed = results.filter((r) => !r.met).map((r) => r.name);
console.log(missed.length ? `\ntargets missed: ${missed.join(", ")}` : "\nall targets met");
process.exit(missed.length ? 1 : 0);
