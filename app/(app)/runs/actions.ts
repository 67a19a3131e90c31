"use server";

import { catalog } from "@/lib/catalog";
import { z } from "zod";
import { companyAction } from "@/lib/auth/action";
import { idSchema } from "@/lib/companies/schemas";
import { getEnv } from "@/lib/config/env";
import { approvalLinkToken, cancelRun, completeWaitpoint, replayRun, rerunOnLatest, startRun } from "@/lib/workflow/runs";
import { previewUndo, requestUndo } from "@/lib/workflow/undo";

// The run page's and the workflow page's buttons; the same lib/workflow/runs functions serve /api/v1.
const startInput = z.object({ workflowId: z.string().min(1).max(64), options: z.unknown() });
const decideInput = idSchema.extend({ approved: z.boolean(), comment: z.string().max(2000).optional() });

export const startRunAction = companyAction((db, caller, input: unknown) => {
  const { workflowId, options } = startInput.parse(input);
  return startRun(db, catalog, caller, workflowId, options ?? {}, { type: "manual", source: "ui" });
});
export const cancelRunAction = companyAction((db, caller, input: unknown) => cancelRun(db, caller, idSchema.parse(input).id));
export const replayRunAction = companyAction((db, caller, input: unknown) => replayRun(db, caller, idSchema.parse(input).id));
export const rerunRunAction = companyAction((db, caller, input: unknown) => rerunOnLatest(db, catalog, caller, idSchema.parse(input).id));
export const previewUndoAction = companyAction((db, caller, input: unknown) => previewUndo(db, catalog, caller, idSchema.parse(input).id));
export const undoRunAction = companyAction((db, caller, input: unknown) => requestUndo(db, catalog, caller, idSchema.parse(input).id));
export const decideApprovalAction = companyAction((db, caller, input: unknown) => {
  const { id, ...decision } = decideInput.parse(input);
  return completeWaitpoint(db, { caller }, id, decision);
});
const linkInput = idSchema.extend({ approver: z.email().max(320).optional() });
/** A fresh single-use link that lets someone without an account decide this approval, as the named approver. */
export const approvalLinkAction = companyAction(async (db, caller, input: unknown) => {
  const { id, approver } = linkInput.parse(input);
  const token = await approvalLinkToken(db, caller, id, approver);
  return { url: `${getEnv().appUrl}/approve/${id}?token=${token}` };
});
