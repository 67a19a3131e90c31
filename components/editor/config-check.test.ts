import { describe, expect, it } from "vitest";
import { catalog, describeCatalog } from "@/lib/catalog";
import { checkConfig, joinDuration, splitDuration, zonedInstant } from "./config-check";

const approval = describeCatalog(catalog).nodeTypes.find((type) => type.type === "control.approval")!;

describe("checkConfig", () => {
  it("marks missing required fields as warnings and wrong values as errors, by field", () => {
    const messages = checkConfig(approval.configSchema, approval.fields, { message: "", timeoutMs: 10 });
    expect(messages.get("message")).toEqual({ severity: "warning", message: "Required to publish" });
    expect(messages.get("timeoutMs")).toEqual({ severity: "error", message: "At least 1000" });
  });

  it("accepts a valid config, and an expression where a number is expected", () => {
    expect(checkConfig(approval.configSchema, approval.fields, { message: "Ok?", timeoutMs: 60_000 }).size).toBe(0);
    expect(checkConfig(approval.configSchema, approval.fields, { message: "Ok?", timeoutMs: "{{trigger.payload.ms}}" }).size).toBe(0);
  });
});

describe("durations and instants", () => {
  it("shows milliseconds in the largest whole unit and back", () => {
    expect(splitDuration(86_400_000)).toEqual({ amount: 1, unit: "days" });
    expect(splitDuration(90_000)).toEqual({ amount: 90, unit: "seconds" });
    expect(joinDuration(2, "hours")).toBe(7_200_000);
  });

  it("gives a wall-clock time in a zone its offset on that date", () => {
    expect(zonedInstant("2025-01-15T09:00", "Europe/Rome")).toBe("2025-01-15T09:00:00+01:00");
    expect(zonedInstant("2025-07-15T09:00", "Europe/Rome")).toBe("2025-07-15T09:00:00+02:00");
    expect(zonedInstant("2025-07-15T09:00", "UTC")).toBe("2025-07-15T09:00:00+00:00");
  });
});
