import { defineConfig } from "@trigger.dev/sdk";

// Used only when Flowline runs workflows on Trigger.dev (TRIGGER_SECRET_KEY set); the embedded
// worker needs none of this. Tasks live in ./trigger and stay thin: they call lib/workflow.
export default defineConfig({
  project: process.env.TRIGGER_PROJECT_REF ?? "proj_flowline",
  dirs: ["./trigger"],
  maxDuration: 3600,
  retries: {
    enabledInDev: false,
    // Step-level retries are Flowline's own (per node, durable); a task attempt is retried only
    // when the worker itself failed.
    default: { maxAttempts: 3, factor: 2, minTimeoutInMs: 1000, maxTimeoutInMs: 10_000, randomize: true },
  },
});
