import { spawnSync } from "node:child_process";
import net, { type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryPoint } from "../support/entry-points";

// `npm run dev:sandbox` honours its port flags and names a busy port instead of printing a stack.
// Run as a person would, with a port already taken; it stops before `next dev` starts.

let busy: net.Server;
let busyPort: number;
beforeAll(async () => {
  busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, resolve));
  busyPort = (busy.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

const sandbox = (...args: string[]) =>
  spawnSync(process.execPath, [...entryPoint("fakes/sandbox.ts"), ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, PORT: "", FAKE_SLACK_PORT: "", FAKE_FIC_PORT: "", FAKE_RESEND_PORT: "", FAKE_DISCORD_PORT: "" },
  });

describe("npm run dev:sandbox", () => {
  it("names the busy fake port and the flag that moves it", () => {
    const result = sandbox("-p", "0", "--slack-port", String(busyPort), "--fic-port", "0", "--resend-port", "0", "--discord-port", "0");
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `The fake Slack cannot listen on port ${busyPort}: something else is using it. Stop what runs there, or start the sandbox with --slack-port <another>.`,
    );
  });

  it("honours -p for the app: a busy one is named before next dev starts; the fakes' tokens are printed", () => {
    const result = sandbox("-p", String(busyPort), "--slack-port", "0", "--fic-port", "0", "--resend-port", "0", "--discord-port", "0");
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`Flowline on http://localhost:${busyPort}`);
    expect(result.stdout).toMatch(/bot tokens to paste: T0FAKE01 xoxb-\S+ {2}T0FAKE02 xoxb-\S+/);
    expect(result.stdout).toMatch(/access token to paste: a\/\S+/);
    expect(result.stdout).toMatch(/fake Discord on http:\/\/127\.0\.0\.1:\d+: its consent page lets you pick a server/);
    expect(result.stdout).toMatch(/bot token to paste: [\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}/);
    expect(result.stderr.trim()).toBe(
      `The Flowline app cannot listen on port ${busyPort}: something else is using it. Stop what runs there, or start the sandbox with -p <another>.`,
    );
  });

  it("refuses a port that is not a number, with the usage", () => {
    const result = sandbox("-p", "abc");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--port must be a port number (0-65535; 0 picks a free one), got "abc"');
    expect(result.stderr).toContain("usage: npm run dev:sandbox --");
  });
});
