import { Validator, type OutputUnit } from "@cfworker/json-schema";
import type { FieldHint, JsonSchema } from "@/lib/catalog/description";

// Validation as you type, in the browser, from the same JSON Schema the server's zod config
// printed (the catalog's configSchema). The server re-checks on every save; this only says early
// and next to the field what the save would say. @cfworker/json-schema interprets the schema
// instead of compiling it to code (ajv's new Function), which the app's Content-Security-Policy
// (no 'unsafe-eval') forbids.

export type FieldMessage = { severity: "error" | "warning"; message: string };

const validators = new WeakMap<JsonSchema, Validator>();

function validatorFor(schema: JsonSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    validator = new Validator(schema as never, "2020-12", false);
    validators.set(schema, validator);
  }
  return validator;
}

const hasExpression = (value: unknown) => typeof value === "string" && value.includes("{{");

/** "", [] and {} count as missing, as the server's check counts them. */
export const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  value === "" ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === "object" && value !== null && Object.keys(value).length === 0);

function describe(error: OutputUnit, property: JsonSchema | undefined): string {
  const limit = (name: string) => property?.[name];
  switch (error.keyword) {
    case "minLength":
      return limit("minLength") === 1 ? "Fill this in" : `At least ${String(limit("minLength"))} characters`;
    case "maxLength":
      return `At most ${String(limit("maxLength"))} characters`;
    case "minimum":
      return `At least ${String(limit("minimum"))}`;
    case "maximum":
      return `At most ${String(limit("maximum"))}`;
    case "type":
      return `Should be ${property?.type === "integer" ? "a whole number" : `a ${String(property?.type ?? "different type")}`}`;
    case "enum":
      return `One of: ${((property?.enum as unknown[] | undefined) ?? []).join(", ")}`;
    case "format":
      return property?.format === "date-time" ? "Use a date and time with its time zone" : `Not a valid ${String(property?.format)}`;
    case "maxItems":
      return `At most ${String(limit("maxItems"))} items`;
    default:
      return "Not valid";
  }
}

/** The config key an error is about: the missing property of a "required", else the instance path's first segment. */
function keyOf(error: OutputUnit): string | undefined {
  if (error.keyword === "required") return /"([^"]+)"/.exec(error.error)?.[1];
  return error.instanceLocation.split("/")[1];
}

/** Messages by field key: missing required fields are warnings (a draft may be unfinished), the rest errors. */
export function checkConfig(schema: JsonSchema, fields: readonly FieldHint[], config: Record<string, unknown>): Map<string, FieldMessage> {
  const messages = new Map<string, FieldMessage>();
  for (const field of fields) {
    if (field.required && isEmpty(config[field.key])) messages.set(field.key, { severity: "warning", message: "Required to publish" });
  }
  const result = validatorFor(schema).validate(config);
  if (result.valid) return messages;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  // The innermost errors (longest instance path) say most; the combinators' summaries come after them.
  const errors = [...result.errors].filter((e) => e.keyword !== "properties" && e.keyword !== "anyOf" && e.keyword !== "oneOf" && e.keyword !== "allOf");
  for (const error of errors) {
    const key = keyOf(error);
    if (key === undefined || messages.has(key)) continue;
    // An expression is resolved at run time: its type is unknown until then.
    if (error.keyword !== "required" && hasExpression(config[key])) continue;
    if (error.keyword === "required" || (error.keyword === "minLength" && config[key] === "")) {
      messages.set(key, { severity: "warning", message: "Required to publish" });
    } else {
      messages.set(key, { severity: "error", message: describe(error, properties[key]) });
    }
  }
  return messages;
}

// Durations are stored in milliseconds and shown in the largest unit that divides them.
export const durationUnits = [
  { id: "seconds", label: "seconds", ms: 1000 },
  { id: "minutes", label: "minutes", ms: 60_000 },
  { id: "hours", label: "hours", ms: 3_600_000 },
  { id: "days", label: "days", ms: 86_400_000 },
] as const;
export type DurationUnit = (typeof durationUnits)[number]["id"];

export function splitDuration(ms: number): { amount: number; unit: DurationUnit } {
  const unit = [...durationUnits].reverse().find((candidate) => ms >= candidate.ms && ms % candidate.ms === 0) ?? durationUnits[0];
  return { amount: ms / unit.ms, unit: unit.id };
}

export const joinDuration = (amount: number, unit: DurationUnit) => Math.round(amount * durationUnits.find((candidate) => candidate.id === unit)!.ms);

/** An instant typed as a wall-clock time in a time zone, as ISO 8601 with that zone's offset then. */
export function zonedInstant(local: string, timeZone: string): string {
  const [date, time = "00:00"] = local.split("T");
  const guess = new Date(`${date}T${time.length === 5 ? `${time}:00` : time}Z`);
  const offsetMinutes = offsetAt(guess, timeZone);
  const corrected = offsetAt(new Date(guess.getTime() - offsetMinutes * 60_000), timeZone);
  const sign = corrected < 0 ? "-" : "+";
  const abs = Math.abs(corrected);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${date}T${time.length === 5 ? `${time}:00` : time}${offset}`;
}

/** Minutes east of UTC for the zone at that instant. */
function offsetAt(instant: Date, timeZone: string): number {
  const name =
    new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" }).formatToParts(instant).find((part) => part.type === "timeZoneName")?.value ??
    "GMT";
  const match = name.match(/GMT([+-])(\d{2}):(\d{2})/);
  if (!match) return 0;
  return (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}
