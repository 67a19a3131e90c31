import { describe, expect, it } from "vitest";
import { historyReducer, type History } from "./history";

const start: History<string> = { past: [], present: "a", future: [] };

describe("historyReducer", () => {
  it("undoes and redoes recorded changes, and a new change drops what could be redone", () => {
    let h = historyReducer(start, { type: "change", value: "b", record: true });
    h = historyReducer(h, { type: "change", value: "c", record: true });
    h = historyReducer(h, { type: "undo" });
    expect(h.present).toBe("b");
    h = historyReducer(h, { type: "redo" });
    expect(h.present).toBe("c");
    h = historyReducer(h, { type: "undo" });
    h = historyReducer(h, { type: "change", value: "d", record: true });
    expect(h).toEqual({ past: ["a", "b"], present: "d", future: [] });
  });

  it("keeps unrecorded changes out of the undo stack", () => {
    const h = historyReducer(historyReducer(start, { type: "change", value: "b", record: false }), { type: "undo" });
    expect(h.present).toBe("b");
  });
});
