"use server";

import { userAction } from "@/lib/auth/action";
import { rememberCompany } from "@/lib/auth/session";
import { acceptInvite } from "@/lib/companies/invites";
import { z } from "zod";

const acceptSchema = z.object({ token: z.string().min(10).max(200) });

export const acceptInviteAction = userAction(async (db, userId, input: unknown) => {
  const { token } = acceptSchema.parse(input);
  const { companyId } = await acceptInvite(db, userId, token);
  await rememberCompany(companyId);
  return { companyId };
});
