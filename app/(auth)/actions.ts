"use server";

import { publicAction } from "@/lib/auth/action";
import { signUp } from "@/lib/companies/accounts";

/** Creates the account and its company; the form then signs in with the same credentials. */
export const signUpAction = publicAction(async (db, input: unknown) => {
  await signUp(db, input);
  return { created: true };
});
