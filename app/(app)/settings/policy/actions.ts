"use server";

import { catalog } from "@/lib/catalog";
import { companyAction } from "@/lib/auth/action";
import { setCompanyPolicy, setWorkflowPolicy } from "@/lib/workflow/policy-settings";

// Settings > Policy (owners and admins; the lib functions check the role).
export const setCompanyPolicyAction = companyAction((db, caller, input: unknown) => setCompanyPolicy(db, catalog, caller, input));
export const setWorkflowPolicyAction = companyAction((db, caller, input: unknown) => setWorkflowPolicy(db, catalog, caller, input));
