import { z } from "zod";

// The sample payload a workflow's trigger config may carry: the editor's variable picker reads it
// (components/editor/variables.ts) before any run exists. A person writes it (the manual
// trigger), or "Listen for a test event" captures it from a real call (test-events.ts).
export const samplePayloadField = z
  .record(z.string(), z.unknown())
  .optional()
  .meta({
    ui: { label: "Sample payload", help: "An example of what the trigger receives, so later steps can pick its fields", widget: "json", advanced: true },
  });
