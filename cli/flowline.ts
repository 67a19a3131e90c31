import { runCli } from "@/cli/main";

// The `flowline` program: cli/main.ts is the CLI, run here on this process's arguments, environment and streams.
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exit(code);
