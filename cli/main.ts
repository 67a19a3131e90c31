import fs from "node:fs";
import path from "node:path";
import { format, parseArgs } from "node:util";
import { ConfigError, parseEnv, type Env } from "@/lib/config/env";
import { isAlive, lockOwner } from "@/lib/db/embedded-lock";
import type { Database } from "@/lib/db/open";
import type { RotationReport } from "@/lib/credentials/rotate";
import { AppError } from "@/lib/errors";
import { operatorFile, operatorFileSchema } from "@/lib/operator/endpoint";
import type { DoctorCheck, OperatorCommand } from "@/lib/operator/commands";
import type { RunDetail, RunSummary } from "@/lib/workflow/runs";

const usage = `Usage: npm run flowline -- <command> [options]

Commands:
  setup --email <email> --password <password> --company <name> [--name <your name>]
        Create the owner account and the company (running it again changes nothing).
  apikey create --company <name or slug> --name <label>
        Create an API key for the company; prints only the key.
  migrate
        Apply pending database migrations.
  workflow import <file.json> --company <name or slug> [--name <name>]
        Create a workflow from an exported file or a bare definition.
  workflow export <workflow id>
        Print the workflow's name, description and draft definition as JSON.
  run <workflow id> [--payload <file.json>] [--draft] [--wait]
        Start a run (of the published version, or of the draft) and print its id;
        with --wait, follow it to the end and print its step table.
  keys rotate
        Re-encrypt every stored credential with ENCRYPTION_KEY; afterwards the keys in
        ENCRYPTION_KEYS_PREVIOUS can be removed.
  doctor
        Check configuration, database, migrations and worker.`;

class UsageError extends Error {}

/** Where a CLI invocation reads its environment and writes its output: the process's own, or a test's. */
export type CliIo = {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
};

function println(write: (text: string) => void, text: string) {
  write(`${text}\n`);
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new AppError("bad_request", `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError("bad_request", `${file} is not valid JSON: ${(error as Error).message}`);
  }
}

type Runner = <T>(command: OperatorCommand, args?: unknown) => Promise<T>;

/** Runs commands on the database directly, or through the running app that holds the embedded one. */
async function connect(env: Env, options: { worker: boolean }): Promise<{ run: Runner; close(): Promise<void> }> {
  if (env.embedded) {
    const owner = lockOwner(path.join(env.FLOWLINE_DATA_DIR, "pglite.lock"));
    if (owner !== null && owner !== process.pid && isAlive(owner)) return viaApp(env, owner);
  }
  // Loaded only now: the database drivers, the catalog and the engine are most of the CLI's
  // start-up, and help, usage, environment and database-in-use errors need none of them.
  const [{ openEmbedded, openServer }, { operatorCommands }, { catalog }, { EmbeddedWorker }] = await Promise.all([
    import("@/lib/db/open"),
    import("@/lib/operator/commands"),
    import("@/lib/catalog"),
    import("@/lib/workflow/hosts/embedded"),
  ]);
  const database: Database = env.embedded ? await openEmbedded({ dataDir: env.FLOWLINE_DATA_DIR }) : await openServer(env.DATABASE_URL!, { poolSize: 2 });
  const needsCurrentSchema = (command: OperatorCommand) => command !== "migrate" && command !== "doctor";
  // Following a run needs a worker: the app's, when the CLI goes through it; otherwise its own,
  // unless Trigger.dev executes runs.
  const worker = options.worker && env.runsOn === "embedded" ? new EmbeddedWorker(database.prisma, { catalog }) : null;
  if (worker) {
    await assertMigrated(database);
    await worker.start();
  }
  return {
    run: async <T>(command: OperatorCommand, args?: unknown) => {
      if (needsCurrentSchema(command)) await assertMigrated(database);
      return (await operatorCommands[command](database, args)) as T;
    },
    close: async () => {
      await worker?.stop();
      await database.close();
    },
  };
}

async function assertMigrated(database: Database) {
  const { pending } = await database.migrationStatus();
  if (pending.length > 0) {
    throw new AppError("config_invalid", `the database has pending migrations: ${pending.join(", ")}`, { remediation: "Run `npm run db:migrate` first." });
  }
}

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

async function followRun(io: CliIo, run: Runner, id: string): Promise<RunDetail> {
  for (let shown = ""; ;) {
    const detail = await run<RunDetail>("run get", { id });
    if (detail.status !== shown) {
      println(io.stderr, `run ${id}: ${detail.status}`);
      shown = detail.status;
    }
    // Waiting runs (a WAIT, an approval) are followed too: Ctrl-C stops following, not the run.
    if (TERMINAL.has(detail.status)) return detail;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function printSteps(io: CliIo, run: RunDetail) {
  const rows = run.steps.map((s) => [
    s.nodeId,
    s.iterationPath || "-",
    String(s.attempt),
    s.status,
    s.durationMs === null ? "-" : `${s.durationMs} ms`,
    s.error ? `${s.error.code}: ${s.error.message}` : "",
  ]);
  const header = ["step", "iteration", "attempt", "status", "duration", "error"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  println(io.stdout, line(header));
  for (const row of rows) println(io.stdout, line(row));
  println(io.stdout, `\nrun ${run.id} ${run.status}${run.error ? ` — ${run.error.code}: ${run.error.message}` : ""}`);
}

function viaApp(env: Env, owner: number): { run: Runner; close(): Promise<void> } {
  const file = operatorFile(env.FLOWLINE_DATA_DIR);
  const parsed = fs.existsSync(file) ? operatorFileSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8"))) : null;
  if (!parsed?.success || parsed.data.pid !== owner) {
    throw new AppError("database_in_use", `database in use by pid ${owner}; stop it or set DATABASE_URL`, {
      remediation: "That process is not a Flowline app the CLI can talk to (or it is still starting).",
    });
  }
  const { url, token } = parsed.data;
  return {
    run: async <T>(command: OperatorCommand, args?: unknown) => {
      const response = await fetch(`${url}/api/operator`, {
        method: "POST",
        headers: { authorization: `Operator ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ command, args }),
      }).catch((error: Error) => {
        throw new AppError("database_in_use", `database in use by pid ${owner}, and its API at ${url} did not answer (${error.message})`, {
          remediation: "Stop that process, or set APP_URL to the address the app listens on.",
        });
      });
      const body = (await response.json()) as { result?: T; error?: { code: string; message: string; remediation?: string } };
      if (!response.ok || body.error)
        throw new AppError("bad_request", body.error?.message ?? `the app answered ${response.status}`, { remediation: body.error?.remediation });
      return body.result as T;
    },
    close: async () => {},
  };
}

async function main(argv: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: "string" },
      password: { type: "string" },
      company: { type: "string" },
      name: { type: "string" },
      payload: { type: "string" },
      draft: { type: "boolean" },
      wait: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  // "workflow import <file>", "workflow export <id>" and "run <id>" take one argument after their command words.
  const commandWords: Record<string, number> = { workflow: 2, run: 1 };
  const takesArgument = (positionals[0] ?? "") in commandWords;
  const words = commandWords[positionals[0] ?? ""] ?? positionals.length;
  const command = positionals.slice(0, words).join(" ");
  const argument = takesArgument ? positionals[words] : undefined;
  if (values.help || !command) {
    println(io.stdout, usage);
    return values.help ? 0 : 2;
  }
  const known: Record<string, OperatorCommand> = {
    setup: "setup",
    "apikey create": "apikey create",
    migrate: "migrate",
    doctor: "doctor",
    "workflow import": "workflow import",
    "workflow export": "workflow export",
    "keys rotate": "keys rotate",
    run: "run start",
  };
  const operatorCommand = known[command];
  if (!operatorCommand) throw new UsageError(`unknown command "${command}"`);
  if (takesArgument && !argument) throw new UsageError(`${command} needs ${command.endsWith("import") ? "a file" : "a workflow id"}`);
  const env = parseEnv(io.env);
  const connection = await connect(env, { worker: operatorCommand === "run start" && Boolean(values.wait) });
  try {
    switch (operatorCommand) {
      case "setup": {
        const result = await connection.run<{ created: { user: boolean; company: boolean } }>("setup", values);
        const what = [result.created.user && "owner", result.created.company && "company"].filter(Boolean);
        println(io.stdout, what.length ? `Created ${what.join(" and ")} for ${values.email}.` : `Already set up: ${values.email} owns "${values.company}".`);
        return 0;
      }
      case "apikey create": {
        const { key } = await connection.run<{ key: string }>("apikey create", values);
        println(io.stdout, key);
        return 0;
      }
      case "migrate": {
        const { applied } = await connection.run<{ applied: string[] }>("migrate");
        println(io.stdout, applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}` : "Database is up to date.");
        return 0;
      }
      case "workflow import": {
        const file = readJsonFile(argument!);
        const result = await connection.run<{ id: string; name: string; warnings: number }>("workflow import", {
          company: values.company,
          name: values.name,
          file,
        });
        println(io.stdout, `Imported "${result.name}" as ${result.id}${result.warnings ? ` (${result.warnings} warning(s) to fix before publishing)` : ""}.`);
        return 0;
      }
      case "workflow export": {
        const exported = await connection.run<unknown>("workflow export", { id: argument });
        println(io.stdout, JSON.stringify(exported, null, 2));
        return 0;
      }
      case "run start": {
        const payload = values.payload ? readJsonFile(values.payload) : undefined;
        const run = await connection.run<RunSummary>("run start", { workflowId: argument, payload, draft: values.draft });
        if (!values.wait) {
          println(io.stdout, run.id);
          return 0;
        }
        const finished = await followRun(io, connection.run, run.id);
        printSteps(io, finished);
        return finished.status === "succeeded" ? 0 : 1;
      }
      case "keys rotate": {
        const report = await connection.run<RotationReport>("keys rotate");
        println(io.stdout, `Re-encrypted ${report.rotated} of ${report.total} credential(s) with the current key (${report.current} already used it).`);
        for (const failed of report.failed) println(io.stderr, `FAIL credential ${failed.id} (key ${failed.keyId}): ${failed.reason}`);
        if (report.failed.length) println(io.stderr, "Add the missing keys to ENCRYPTION_KEYS_PREVIOUS and run it again, or reconnect those accounts.");
        return report.failed.length ? 1 : 0;
      }
      case "doctor": {
        const checks = await connection.run<DoctorCheck[]>("doctor");
        for (const check of checks) println(io.stdout, `${check.ok ? "ok  " : "FAIL"} ${check.name.padEnd(11)} ${check.detail}`);
        return checks.every((check) => check.ok) ? 0 : 1;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await connection.close();
  }
}

/** Runs one CLI invocation and returns its exit code: 0 done, 1 failed, 2 bad usage, options or environment. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    return await main(argv, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      println(io.stderr, `flowline: ${(error as Error).message}\n\n${usage}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      println(io.stderr, `flowline: ${error.message}`);
      return 2;
    }
    if (error instanceof AppError) {
      const issues = error.issues?.map((i) => `\n  ${i.path.join(".")}: ${i.message}`).join("") ?? "";
      println(io.stderr, `flowline: ${error.message}${issues}${error.remediation ? `\n${error.remediation}` : ""}`);
      return 1;
    }
    if ((error as Error).name === "ZodError") {
      const issues = (error as import("zod").ZodError).issues.map((i) => `  --${i.path.join(".")}: ${i.message}`).join("\n");
      println(io.stderr, `flowline: invalid options\n${issues}`);
      return 2;
    }
    println(io.stderr, format("flowline: unexpected error", error));
    return 1;
  }
}
