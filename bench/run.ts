// `npm run bench`: speed and memory targets, measured (never asserted by timed tests).
import { benchValidate } from "./validate";

const results = { validate: benchValidate() };
const missed = Object.entries(results).filter(([, met]) => !met).map(([name]) => name);
console.log(missed.length ? `\ntargets missed: ${missed.join(", ")}` : "\nall targets met");
process.exit(missed.length ? 1 : 0);
