// Helpers for the JSON values that flow through definitions and runs: configs, payloads, outputs.

export type JsonPath = (string | number)[];

/** Keys that lead to an object's prototype: never stored in a config, never walked by a template. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Objects from JSON (or Object.create(null)); class instances are not data and are not walked. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Structural equality of JSON values; the order of object keys does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return false;
}

export type UnsafeSpot = { path: JsonPath; reason: "too_deep" | "prototype_key" };

/**
 * Finds nesting beyond maxDepth (the value itself is depth 1) and prototype keys. It stops
 * descending at maxDepth, so hostile input (10,000 levels) cannot overflow the stack.
 */
export function findUnsafeSpots(value: unknown, maxDepth: number): UnsafeSpot[] {
  const spots: UnsafeSpot[] = [];
  const visit = (current: unknown, path: JsonPath, depth: number) => {
    if (typeof current !== "object" || current === null) return;
    if (depth > maxDepth) {
      spots.push({ path, reason: "too_deep" });
      return;
    }
    // JSON.parse makes "__proto__" an own data property, so Object.entries lists it.
    // entries() rather than map(): map skips the holes of a sparse array.
    const entries: Iterable<readonly [string | number, unknown]> = Array.isArray(current) ? current.entries() : Object.entries(current);
    for (const [key, child] of entries) {
      if (typeof key === "string" && PROTOTYPE_KEYS.has(key)) spots.push({ path: [...path, key], reason: "prototype_key" });
      else visit(child, [...path, key], depth + 1);
    }
  };
  visit(value, [], 1);
  return spots;
}
