// Undo and redo over whole definitions: every edit makes a new value (graph.ts never mutates), so
// a step back is the previous value, shared structure and all.

export type History<T> = { past: T[]; present: T; future: T[] };

/** Enough for a long session; each entry shares most of its structure with its neighbours. */
const LIMIT = 200;

export type HistoryAction<T> =
  | { type: "change"; value: T; /** false for what is not an edit of its own (the viewport, a drag in progress). */ record: boolean }
  /** A change computed from the present value, for callers that must stay stable across edits (a note's text). */
  | { type: "update"; change: (present: T) => T }
  | { type: "undo" }
  | { type: "redo" }
  | { type: "reset"; value: T };

export function historyReducer<T>(history: History<T>, action: HistoryAction<T>): History<T> {
  switch (action.type) {
    case "change":
      if (action.value === history.present) return history;
      if (!action.record) return { ...history, present: action.value };
      return { past: [...history.past, history.present].slice(-LIMIT), present: action.value, future: [] };
    case "update": {
      const value = action.change(history.present);
      return value === history.present ? history : { past: [...history.past, history.present].slice(-LIMIT), present: value, future: [] };
    }
    case "undo": {
      const previous = history.past.at(-1);
      if (previous === undefined) return history;
      return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future] };
    }
    case "redo": {
      const [next, ...rest] = history.future;
      if (next === undefined) return history;
      return { past: [...history.past, history.present], present: next, future: rest };
    }
    case "reset":
      return { past: [], present: action.value, future: [] };
  }
}
