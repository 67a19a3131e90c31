import { z } from "zod";

// Contracts shared by the forms (client-side hints) and the server (the check that counts).
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "Email is too long")
  .pipe(z.email({ message: "Enter a valid email address, like name@company.com" }));

export const passwordSchema = z.string().min(10, "Use at least 10 characters").max(200, "Use at most 200 characters");

export const companyNameSchema = z
  .string()
  .trim()
  .min(2, "Company name needs at least 2 characters")
  .max(100, "Company name is too long (100 characters at most)");

export const inviteTokenSchema = z.string().min(10).max(200);

// Someone arriving through an invite link joins that company instead of creating one.
export const signUpSchema = z
  .object({
    name: z.string().trim().min(1, "Enter your name").max(100, "Name is too long"),
    email: emailSchema,
    password: passwordSchema,
    company: companyNameSchema.optional(),
    inviteToken: inviteTokenSchema.optional(),
  })
  .refine((input) => input.company !== undefined || input.inviteToken !== undefined, {
    path: ["company"],
    message: "Company name needs at least 2 characters",
  });
export type SignUpInput = z.infer<typeof signUpSchema>;

export const signInSchema = z.object({ email: emailSchema, password: z.string().min(1, "Enter your password").max(200) });

export const roleSchema = z.enum(["owner", "admin", "member"]);

export const createInviteSchema = z.object({ role: roleSchema.exclude(["owner"]).default("member") });
export const idSchema = z.object({ id: z.string().min(1).max(64) });
export const changeRoleSchema = z.object({ membershipId: z.string().min(1).max(64), role: roleSchema });
export const createApiKeySchema = z.object({ name: z.string().trim().min(1, "Give the key a name").max(60, "Name is too long (60 characters at most)") });
export const renameCompanySchema = z.object({ name: companyNameSchema });
export const createCompanySchema = z.object({ name: companyNameSchema });
