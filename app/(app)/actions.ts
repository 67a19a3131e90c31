"use server";

import { userAction } from "@/lib/auth/action";
import { rememberCompany } from "@/lib/auth/session";
import { createCompanyFor } from "@/lib/companies/accounts";
import { assertMember } from "@/lib/companies/members";
import { createCompanySchema, idSchema } from "@/lib/companies/schemas";

export const switchCompanyAction = userAction(async (db, userId, input: unknown) => {
  const { id } = idSchema.parse(input);
  await assertMember(db, userId, id);
  await rememberCompany(id);
  return { companyId: id };
});

export const createCompanyAction = userAction(async (db, userId, input: unknown) => {
  const { name } = createCompanySchema.parse(input);
  const { companyId } = await createCompanyFor(db, userId, name);
  await rememberCompany(companyId);
  return { companyId };
});
