import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

// e2e runs against the production build (`next build` runs first in npm test) with its own
// fresh embedded database. Workers inherit this variable, so specs can find the data folder.
process.env.FLOWLINE_E2E_DATA_DIR ??= path.join(os.tmpdir(), `flowline-e2e-${Date.now()}`);
const port = Number(process.env.FLOWLINE_E2E_PORT ?? 3310);
export const baseURL = `http://localhost:${port}`;
// The fake Slack (fakes/slack) the app is pointed at, so specs can connect Slack offline.
const fakeSlackPort = Number(process.env.FLOWLINE_E2E_SLACK_PORT ?? 3311);
export const fakeSlackURL = `http://127.0.0.1:${fakeSlackPort}`;
// The fake Fatture in Cloud (fakes/fattureincloud); its default stays clear of the ports parallel runs are given.
const fakeFicPort = Number(process.env.FLOWLINE_E2E_FIC_PORT ?? 3360);
const fakeFicURL = `http://127.0.0.1:${fakeFicPort}`;
// The fake Discord (fakes/discord), with a fixed bot token the app is given.
const fakeDiscordPort = Number(process.env.FLOWLINE_E2E_DISCORD_PORT ?? 3362);
export const fakeDiscordURL = `http://127.0.0.1:${fakeDiscordPort}`;
const fakeDiscordBotToken = "MTEwMDAwMDAwMDAwMDAwMDkwMA.e2e000.e2e-fake-bot-token-0000000000";
// The fake Resend (fakes/resend): the app's sender for signing links and sign-in links; its outbox is readable.
const fakeResendPort = Number(process.env.FLOWLINE_E2E_RESEND_PORT ?? 3363);
export const fakeResendURL = `http://127.0.0.1:${fakeResendPort}`;

// Debian's Chromium: the bundled browser download cannot run offline. Its old headless shell
// (package chromium-headless-shell, the build Playwright itself runs headless) when it is there:
// the same Blink, without the full browser around it, and the whole e2e run then costs ~20 % less
// CPU (2 cores: 288 → 223 CPU-s, 168 → 129 s). The editor benchmark keeps the full browser.
const chromium = ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"].find((file) => fs.existsSync(file));

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  // Two cores: spec files in two browsers at once (each spec signs up its own company).
  workers: 2,
  reporter: [["list"]],
  use: {
    baseURL,
    screenshot: "only-on-failure",
    // Recording a trace for every test (to keep the failures' only) cost ~30% of the run's time
    // (full e2e, quiet machine: 5.1 → 3.6 min); `playwright test --trace retain-on-failure` records them.
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    },
  },
  webServer: [
    {
      command: `node_modules/.bin/tsx fakes/slack/main.ts --port ${fakeSlackPort}`,
      url: `${fakeSlackURL}/health`,
      timeout: 30_000,
      reuseExistingServer: false,
    },
    {
      command: `node_modules/.bin/tsx fakes/fattureincloud/main.ts --port ${fakeFicPort}`,
      url: `${fakeFicURL}/health`,
      timeout: 30_000,
      reuseExistingServer: false,
    },
    {
      command: `node_modules/.bin/tsx fakes/discord/main.ts --port ${fakeDiscordPort} --bot-token ${fakeDiscordBotToken}`,
      url: `${fakeDiscordURL}/health`,
      timeout: 30_000,
      reuseExistingServer: false,
    },
    {
      command: `node_modules/.bin/tsx fakes/resend/main.ts --port ${fakeResendPort}`,
      url: `${fakeResendURL}/health`,
      timeout: 30_000,
      reuseExistingServer: false,
    },
    {
      // Idle keep-alive connections stay open longer than a spec's pause between API calls: with
      // Node's 5 s default the server could close a socket just as a spec's request reused it
      // (ECONNRESET on a POST, seen once in a fresh-clone run).
      command: `node_modules/.bin/next start -p ${port} --keepAliveTimeout 120000`,
      url: `${baseURL}/api/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      env: {
        FLOWLINE_DATA_DIR: process.env.FLOWLINE_E2E_DATA_DIR,
        NEXT_TELEMETRY_DISABLED: "1",
        APP_URL: baseURL,
        LOG_LEVEL: "warn",
        SLACK_API_URL: `${fakeSlackURL}/api/`,
        SLACK_CLIENT_ID: "fake-client-id",
        SLACK_CLIENT_SECRET: "fake-client-secret",
        FATTUREINCLOUD_API_URL: fakeFicURL,
        FATTUREINCLOUD_CLIENT_ID: "fake-fic-client-id",
        FATTUREINCLOUD_CLIENT_SECRET: "fake-fic-client-secret",
        DISCORD_API_URL: `${fakeDiscordURL}/api`,
        DISCORD_CLIENT_ID: "1100000000000000900",
        DISCORD_CLIENT_SECRET: "fake-discord-client-secret",
        DISCORD_BOT_TOKEN: fakeDiscordBotToken,
        RESEND_BASE_URL: fakeResendURL,
        RESEND_API_KEY: "re_fake_full_access_0000000000",
        EMAIL_FROM: "Flowline <sign@flowline.test>",
      },
    },
  ],
});
