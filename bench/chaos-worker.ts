// A worker process for bench/chaos.ts: the app's catalog and worker settings on the given
// Postgres database, with a short lease so the runs of a killed worker change hands quickly.
import { catalog } from "@/lib/catalog";
import { openServer } from "@/lib/db/open";
import { EmbeddedWorker, workerDefaults } from "@/lib/workflow/hosts/embedded";

const url = process.argv[2]!;
const database = await openServer(url);
const worker = new EmbeddedWorker(database.prisma, { ...workerDefaults.server, catalog, leaseMs: 2000, databaseUrl: url });
await worker.start();
process.stdout.write("ready\n");
