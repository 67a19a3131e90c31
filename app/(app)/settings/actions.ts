"use server";

import { companyAction } from "@/lib/auth/action";
import { createApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { getEnv } from "@/lib/config/env";
import { createInvite, revokeInvite } from "@/lib/companies/invites";
import { changeRole, removeMember, renameCompany } from "@/lib/companies/members";

export const renameCompanyAction = companyAction((db, caller, input: unknown) => renameCompany(db, caller, input));
export const createApiKeyAction = companyAction((db, caller, input: unknown) => createApiKey(db, caller, input));
export const revokeApiKeyAction = companyAction((db, caller, input: unknown) => revokeApiKey(db, caller, input));
export const createInviteAction = companyAction((db, caller, input: unknown) => createInvite(db, caller, input, getEnv().appUrl));
export const revokeInviteAction = companyAction((db, caller, input: unknown) => revokeInvite(db, caller, input));
export const changeRoleAction = companyAction((db, caller, input: unknown) => changeRole(db, caller, input));
export const removeMemberAction = companyAction((db, caller, input: unknown) => removeMember(db, caller, input));
