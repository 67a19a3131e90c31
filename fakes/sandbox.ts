import { spawn } from "node:child_process";
import path from "node:path";
import { startFakeSlack } from "./slack/server";

// `npm run dev:sandbox`: the fake Slack plus `next dev` wired to it, so anyone can connect Slack
// (the fake's consent page) and run Slack steps offline. Its own data folder keeps fake
// connections away from a real install. Options: PORT (app, default 3000), FAKE_SLACK_PORT (4555),
// FLOWLINE_DATA_DIR (default .data/sandbox), FAKE_SLACK_ROTATION=1 for expiring tokens.

const appPort = Number(process.env.PORT ?? 3000);
const fake = await startFakeSlack({ port: Number(process.env.FAKE_SLACK_PORT ?? 4555), rotation: process.env.FAKE_SLACK_ROTATION === "1" });
const appUrl = `http://localhost:${appPort}`;
console.log(`fake Slack on ${fake.url} — its consent page appears when you click "Connect Slack"`);
console.log(`Flowline on ${appUrl} — Settings > Integrations`);

const child = spawn(path.join("node_modules", ".bin", "next"), ["dev", "-p", String(appPort)], {
  stdio: "inherit",
  env: {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    FLOWLINE_DATA_DIR: process.env.FLOWLINE_DATA_DIR ?? path.join(".data", "sandbox"),
    APP_URL: process.env.APP_URL ?? appUrl,
    SLACK_API_URL: fake.apiUrl,
    SLACK_CLIENT_ID: fake.clientId,
    SLACK_CLIENT_SECRET: fake.clientSecret,
  },
});

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  child.kill("SIGTERM");
  await fake.close();
  process.exit(code);
}
child.on("exit", (code) => void stop(code ?? 0));
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
