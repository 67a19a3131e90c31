import { z } from "zod";
import { parseTemplate, singleExpression } from "@/lib/workflow/interpolation";

// Config schemas are checked twice: at save time on the raw config, where a field may still be a
// {{…}} expression, and in execute.ts on the resolved input. These helpers accept an expression in
// place of a formatted value; once resolved, the value must have the format.

function containsExpression(text: string): boolean {
  try {
    return parseTemplate(text).parts.some((part) => typeof part !== "string");
  } catch {
    return true; // a malformed template is reported by the workflow's template check
  }
}

function isOneExpression(text: string): boolean {
  try {
    return singleExpression(parseTemplate(text)) !== undefined;
  } catch {
    return true;
  }
}

/** A string that must match `format` unless it contains a {{…}} expression. */
export const formattedString = (format: z.ZodType<string>, message: string) =>
  z.string().refine((value) => containsExpression(value) || format.safeParse(value).success, message);

/** A non-string value (list, boolean…) that may also be given as exactly one {{…}} expression. */
export const valueOrExpression = <T extends z.ZodType>(schema: T) =>
  z.union([schema, z.string().refine(isOneExpression, "Use a value, or one {{…}} expression that gives it")]);
