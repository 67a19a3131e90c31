// A worker process for the crash test: it runs runs from the given Postgres database until it is
// killed (SIGKILL, mid-step, on purpose). Its effectful test action appends to a file, which
// survives the kill, so the test can count how often each effect really happened.
import { openServer } from "@/lib/db/open";
import { EmbeddedWorker } from "@/lib/workflow/hosts/embedded";
import { fileEffectCatalog } from "./file-effect";

const [url, effectsFile] = process.argv.slice(2) as [string, string];

const database = await openServer(url, { poolSize: 4 });
const worker = new EmbeddedWorker(database.prisma, { catalog: fileEffectCatalog(effectsFile), pollMs: 10, leaseMs: 1000, concurrency: 4 });
await worker.start();
process.stdout.write("ready\n");
