import path from "node:path";
import { inject } from "vitest";

// The TypeScript programs tests start as processes of their own (the CLI, the worker, the sandbox,
// helpers that open a database from outside). `tsx` compiles each one again at every start, a few
// CPU-seconds each; instead esbuild, the compiler tsx uses, builds them once per vitest run
// (buildEntryPoints in tests/support/global-setup.ts), with node_modules left as imports, and tests start `node` on the
// result. e2e/cli.spec.ts still runs the CLI through tsx, as `npm run flowline` does.
export const spawnedEntryPoints = [
  "cli/flowline.ts",
  "cli/worker.ts",
  "fakes/sandbox.ts",
  "tests/support/open-embedded.ts",
  "tests/support/crash-worker.ts",
] as const;
export type SpawnedEntryPoint = (typeof spawnedEntryPoints)[number];

declare module "vitest" {
  export interface ProvidedContext {
    entryPointsDir: string;
  }
}

/** The arguments for `node` that run `entry` (before its own arguments). */
export const entryPoint = (entry: SpawnedEntryPoint): string[] => ["--enable-source-maps", path.join(inject("entryPointsDir"), entry.replace(/\.ts$/, ".mjs"))];
