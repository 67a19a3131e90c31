import { spawn } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { assertPortFree, PortBusyError } from "./kit";
import { discordEnvFor } from "./discord/contract";
import { startFakeDiscord } from "./discord/server";
import { startFakeFattureInCloud } from "./fattureincloud/server";
import { startFakeResend } from "./resend/server";
import { startFakeSlack } from "./slack/server";

// `npm run dev:sandbox [-- -p 3101] [--slack-port 4555] [--fic-port 4556] [--resend-port 4557] [--discord-port 4558] [--rotation]`:
// the fake Slack, Fatture in Cloud, Resend and Discord plus `next dev` wired to them, so anyone can connect
// (the fakes' consent pages), paste the printed test tokens, choose defaults and run steps offline.
// Flags win over the env (PORT, FAKE_SLACK_PORT, FAKE_FIC_PORT, FAKE_RESEND_PORT, FAKE_DISCORD_PORT,
// FAKE_SLACK_ROTATION=1). Its own data folder (FLOWLINE_DATA_DIR, default .data/sandbox) keeps
// fake connections away from a real install.

const usage = "usage: npm run dev:sandbox -- [-p|--port 3000] [--slack-port 4555] [--fic-port 4556] [--resend-port 4557] [--discord-port 4558] [--rotation]";

function portOf(value: string | undefined, fallback: number, flag: string): number {
  const port = Number(value ?? fallback);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`${flag} must be a port number (0-65535; 0 picks a free one), got "${value}"\n${usage}`);
    process.exit(2);
  }
  return port;
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: "string", short: "p" },
      "slack-port": { type: "string" },
      "fic-port": { type: "string" },
      "resend-port": { type: "string" },
      "discord-port": { type: "string" },
      rotation: { type: "boolean" },
    },
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}

const appPort = portOf(values.port ?? process.env.PORT, 3000, "--port");
const ports = {
  slack: portOf(values["slack-port"] ?? process.env.FAKE_SLACK_PORT, 4555, "--slack-port"),
  fic: portOf(values["fic-port"] ?? process.env.FAKE_FIC_PORT, 4556, "--fic-port"),
  resend: portOf(values["resend-port"] ?? process.env.FAKE_RESEND_PORT, 4557, "--resend-port"),
  discord: portOf(values["discord-port"] ?? process.env.FAKE_DISCORD_PORT, 4558, "--discord-port"),
};

let fakes: [
  Awaited<ReturnType<typeof startFakeSlack>>,
  Awaited<ReturnType<typeof startFakeFattureInCloud>>,
  Awaited<ReturnType<typeof startFakeResend>>,
  Awaited<ReturnType<typeof startFakeDiscord>>,
];
try {
  fakes = await Promise.all([
    startFakeSlack({
      port: ports.slack,
      rotation: values.rotation ?? process.env.FAKE_SLACK_ROTATION === "1",
      portHint: "Stop what runs there, or start the sandbox with --slack-port <another>.",
    }),
    startFakeFattureInCloud({ port: ports.fic, portHint: "Stop what runs there, or start the sandbox with --fic-port <another>." }),
    startFakeResend({ port: ports.resend, portHint: "Stop what runs there, or start the sandbox with --resend-port <another>." }),
    startFakeDiscord({ port: ports.discord, portHint: "Stop what runs there, or start the sandbox with --discord-port <another>." }),
  ]);
} catch (error) {
  if (error instanceof PortBusyError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
const [slack, fic, resend, discord] = fakes;
const appUrl = `http://localhost:${appPort}`;
console.log(`Flowline on ${appUrl} — Settings > Integrations`);
console.log(`fake Slack on ${slack.url}: its consent page lets you pick a workspace (${slack.teams.map((t) => `${t.name} ${t.id}`).join(", ")})`);
console.log(`  bot tokens to paste: ${slack.teams.map((t) => `${t.id} ${slack.issueBotToken(undefined, t.id)}`).join("  ")}`);
console.log(`fake Fatture in Cloud on ${fic.url}: companies ${fic.companies.map((c) => `${c.name} ${c.id}`).join(", ")}`);
console.log(`  access token to paste: ${fic.issueToken()}`);
console.log(`fake Resend on ${resend.url}: outbox at ${resend.url}/outbox`);
console.log(`  API keys to paste: ${resend.fullAccessKey} (full access)  ${resend.sendingKey} (sending only); senders @${resend.domains.join(", @")}`);
console.log(`fake Discord on ${discord.url}: its consent page lets you pick a server (${discord.guilds.map((g) => `${g.name} ${g.id}`).join(", ")})`);
console.log(`  bot token to paste: ${discord.issueBotToken("Sandbox bot")}`);

// next dev would answer a busy port with a raw EADDRINUSE stack: check it first.
try {
  await assertPortFree({ name: "Flowline app", port: appPort, portHint: "Stop what runs there, or start the sandbox with -p <another>." });
} catch (error) {
  await Promise.all(fakes.map((fake) => fake.close()));
  if (!(error instanceof PortBusyError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const child = spawn(path.join("node_modules", ".bin", "next"), ["dev", "-p", String(appPort)], {
  stdio: "inherit",
  env: {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    FLOWLINE_DATA_DIR: process.env.FLOWLINE_DATA_DIR ?? path.join(".data", "sandbox"),
    APP_URL: process.env.APP_URL ?? appUrl,
    SLACK_API_URL: slack.apiUrl,
    SLACK_CLIENT_ID: slack.clientId,
    SLACK_CLIENT_SECRET: slack.clientSecret,
    FATTUREINCLOUD_API_URL: fic.apiUrl,
    FATTUREINCLOUD_CLIENT_ID: fic.clientId,
    FATTUREINCLOUD_CLIENT_SECRET: fic.clientSecret,
    RESEND_BASE_URL: resend.apiUrl,
    RESEND_API_KEY: resend.fullAccessKey,
    RESEND_WEBHOOK_SECRET: resend.webhookSecret,
    EMAIL_FROM: process.env.EMAIL_FROM ?? "Flowline sandbox <flow@flowline.test>",
    ...discordEnvFor(discord),
  },
});

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  child.kill("SIGTERM");
  await Promise.all(fakes.map((fake) => fake.close()));
  process.exit(code);
}
child.on("exit", (code) => void stop(code ?? 0));
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
