import { afterAll, vi } from "vitest";

// Test files share worker processes (isolate: false in vitest.config.ts): starting a process and
// importing the SDKs in node_modules for every file cost more than half the suite's CPU. What a
// fresh process gave each file, this gives it before it starts: our own modules evaluated anew
// (node_modules stay loaded: they hold no state of ours), the process-wide slots our code keeps on
// globalThis emptied, and process.env put back as it was when the file started.

vi.resetModules();

// A diagnostics-channel subscription made once per process and the same for every file; emptying
// its flag would only subscribe it again.
const processWide = new Set(["__flowlinePeerChannel"]);
const slots = globalThis as unknown as Record<string, unknown>;
for (const name of Object.keys(slots)) if (name.startsWith("__flowline") && !processWide.has(name)) delete slots[name];

const envAtStart = { ...process.env };
afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in envAtStart)) delete process.env[name];
  Object.assign(process.env, envAtStart);
});
