import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { FieldHint, JsonSchema } from "@/lib/catalog/description";

// Validation as you type, in the browser, from the same JSON Schema the server's zod config
// printed (the catalog's configSchema). The server re-checks on every save; this only says early
// and next to the field what the save would say.

export type FieldMessage = { severity: "error" | "warning"; message: string };

const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
addFormats(ajv);
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function validatorFor(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    // $schema names the draft; Ajv2020 already is that draft and would try to fetch the URL's meta-schema otherwise.
    const { $schema: _ignored, ...rest } = schema;
    validate = ajv.compile(rest);
    compiled.set(schema, validate);
  }
  return validate;
}

const hasExpression = (value: unknown) => typeof value === "string" && value.includes("{{");

/** "", [] and {} count as missing, as the server's check counts them. */
export const isEmpty = (value: unknown) =>
  value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0) || (typeof value === "object" && value !== null && Object.keys(value).length === 0);

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "minLength":
      return params.limit === 1 ? "Fill this in" : `At least ${params.limit} characters`;
    case "maxLength":
      return `At most ${params.limit} characters`;
    case "minimum":
      return `At least ${params.limit}`;
    case "maximum":
      return `At most ${params.limit}`;
    case "type":
      return `Should be ${params.type === "integer" ? "a whole number" : `a ${params.type}`}`;
    case "enum":
      return `One of: ${(params.allowedValues as unknown[]).join(", ")}`;
    case "format":
      return params.format === "date-time" ? "Use a date and time with its time zone" : `Not a valid ${params.format}`;
    case "maxItems":
      return `At most ${params.limit} items`;
    default:
      return error.message ?? "Not valid";
  }
}

/** Messages by field key: missing required fields are warnings (a draft may be unfinished), the rest errors. */
export function checkConfig(schema: JsonSchema, fields: readonly FieldHint[], config: Record<string, unknown>): Map<string, FieldMessage> {
  const messages = new Map<string, FieldMessage>();
  for (const field of fields) {
    if (field.required && isEmpty(config[field.key])) messages.set(field.key, { severity: "warning", message: "Required to publish" });
  }
  const validate = validatorFor(schema);
  if (validate(config)) return messages;
  for (const error of validate.errors ?? []) {
    const key = error.keyword === "required" ? String((error.params as { missingProperty: string }).missingProperty) : error.instancePath.split("/")[1];
    if (key === undefined || messages.has(key)) continue;
    // An expression is resolved at run time: its type is unknown until then.
    if (error.keyword !== "required" && hasExpression(config[key])) continue;
    if (error.keyword === "required" || (error.keyword === "minLength" && config[key] === "")) {
      messages.set(key, { severity: "warning", message: "Required to publish" });
    } else {
      messages.set(key, { severity: "error", message: describe(error) });
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
  const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" }).formatToParts(instant).find((part) => part.type === "timeZoneName")?.value ?? "GMT";
  const match = name.match(/GMT([+-])(\d{2}):(\d{2})/);
  if (!match) return 0;
  return (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}
