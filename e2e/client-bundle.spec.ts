import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";

// Server-only code never reaches the browser: the client chunks of the production build (built
// just before e2e by npm test) must not hold the Slack SDK, the Discord REST client, the Postgres driver, Prisma or Node's
// crypto. The same markers are found in the server chunks, which shows they are what the bundler
// leaves of those modules.

const markers: Record<string, string[]> = {
  "@slack/web-api": ["@slack/web-api", "getUploadURLExternal"],
  "@discordjs/rest": ["DiscordAPIError"],
  pg: ["pg-protocol", "pg-pool", "SCRAM-SHA-256"],
  "node:crypto": ["node:crypto"],
  prisma: ["@prisma/client", "PrismaClient"],
};

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.name.endsWith(".js") ? [full] : [];
  });
}

const found = (files: string[], needle: string) => files.filter((file) => fs.readFileSync(file, "utf8").includes(needle));

test("the client chunks hold no server-only module", () => {
  const client = filesUnder(path.join(".next", "static"));
  expect(client.length, "run `next build` first").toBeGreaterThan(10);
  const leaks = Object.entries(markers).flatMap(([module, needles]) =>
    needles.flatMap((needle) => found(client, needle).map((file) => `${module} (${needle}) in ${file}`)),
  );
  expect(leaks).toEqual([]);

  const server = filesUnder(path.join(".next", "server"));
  for (const name of ["@slack/web-api", "node:crypto"]) {
    expect(
      markers[name]!.some((needle) => found(server, needle).length > 0),
      `${name} is recognisable in the server build`,
    ).toBe(true);
  }
});
