// Prints the SQL that takes a database from one schema.prisma to another, offline:
//   node tools/schema-diff/diff.mjs [--from old.prisma] [--to prisma/schema.prisma]
// Without --from it prints the whole schema from empty. Use it to author a new migration:
//   git show HEAD:prisma/schema.prisma > /tmp/old.prisma
//   node tools/schema-diff/diff.mjs --from /tmp/old.prisma > prisma/migrations/<ts>_<name>/migration.sql
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const { values } = parseArgs({ options: { from: { type: "string" }, to: { type: "string", default: path.join(root, "prisma/schema.prisma") } } });

// Prisma 6 reads `url` from the datasource block; Prisma 7 schemas no longer carry it.
const work = fs.mkdtempSync(path.join(os.tmpdir(), "schema-diff-"));
const withUrl = (file, name) => {
  const target = path.join(work, name);
  fs.writeFileSync(target, fs.readFileSync(file, "utf8").replace(/provider\s*=\s*"postgresql"/, 'provider = "postgresql"\n  url = env("DATABASE_URL")'));
  return target;
};
const to = withUrl(values.to, "to.prisma");
const from = values.from ? withUrl(values.from, "from.prisma") : null;
// The JS schema engine wants a driver adapter even for a diff between two files: an in-memory PGlite.
const config = path.join(here, `.config-${process.pid}.mjs`);
fs.writeFileSync(
  config,
  `import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
export default { experimental: { adapter: true }, engine: "js", schema: ${JSON.stringify(to)}, async adapter() { return new PrismaPGlite(new PGlite()); } };
`,
);
try {
  const stub = fileURLToPath(import.meta.url);
  const result = spawnSync(
    process.execPath,
    [
      path.join(here, "node_modules/prisma/build/index.js"),
      "migrate",
      "diff",
      "--config",
      config,
      ...(from ? ["--from-schema-datamodel", from] : ["--from-empty"]),
      "--to-schema-datamodel",
      to,
      "--script",
    ],
    {
      encoding: "utf8",
      env: {
        ...process.env,
        DATABASE_URL: "postgres://unused",
        PRISMA_SCHEMA_ENGINE_BINARY: stub,
        PRISMA_QUERY_ENGINE_LIBRARY: stub,
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
      },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stderr || result.stdout);
    process.exit(result.status ?? 1);
  }
  process.stdout.write(result.stdout);
} finally {
  fs.rmSync(config, { force: true });
  fs.rmSync(work, { recursive: true, force: true });
}
