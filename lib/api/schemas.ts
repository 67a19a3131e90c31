import { z } from "zod";

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    remediation: z.string().optional(),
    issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })).optional(),
  }),
});

export const companySchema = z.object({ id: z.string(), name: z.string(), slug: z.string() });
export const meResponseSchema = z.object({ company: companySchema, role: z.enum(["owner", "admin", "member"]) });
