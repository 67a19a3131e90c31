"use server";

import { companyAction } from "@/lib/auth/action";
import { catalog } from "@/lib/catalog";
import { setWorkflowScope, setWorkflowScopePaused } from "@/lib/integrations/scopes";

/** A workflow's own connection and default channel for an app: { workflowId, appId, connectionId, defaultChannel } (null or "": the company's). */
export const setWorkflowScopeAction = companyAction((db, caller, input: unknown) => setWorkflowScope(db, caller, input, catalog));
/** Pauses or resumes an app on one workflow: { workflowId, appId, paused }. */
export const setWorkflowScopePausedAction = companyAction((db, caller, input: unknown) => setWorkflowScopePaused(db, caller, input, catalog));
