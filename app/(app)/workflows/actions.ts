"use server";

import { catalog } from "@/lib/catalog";
import { z } from "zod";
import { companyAction } from "@/lib/auth/action";
import type { Caller } from "@/lib/auth/roles";
import type { Db } from "@/lib/db";
import { idSchema } from "@/lib/companies/schemas";
import {
  createWorkflow,
  deleteWorkflow,
  getWorkflow,
  publishWorkflow,
  revertDraft,
  setWorkflowEnabled,
  updateWorkflow,
  validateWorkflow,
} from "@/lib/workflow/store";
import { testStep, testStepSchema } from "@/lib/workflow/test-step";

// The UI's way to the same operations as /api/v1/workflows; both call lib/workflow/store.
const withId = <T extends z.ZodRawShape>(shape: T) => idSchema.extend(shape);
const updateInput = withId({ changes: z.unknown() });
const revertInput = withId({ version: z.number().int().positive() });
const enabledInput = withId({ enabled: z.boolean() });
const publishInput = withId({ definition: z.unknown().optional() });
const validateInput = withId({ definition: z.unknown().optional(), mode: z.enum(["draft", "strict"]).default("strict") });

export const createWorkflowAction = companyAction((db, caller, input: unknown) => createWorkflow(db, catalog, caller, input));

function update(db: Db, caller: Caller, input: unknown) {
  const { id, changes } = updateInput.parse(input);
  return updateWorkflow(db, catalog, caller, id, changes);
}

export const updateWorkflowAction = companyAction(update);

/** The editor's autosave: the same update, answered without the page (the editor refreshes it once the person pauses). */
export const saveDraftAction = companyAction(update, { refresh: false });

export const deleteWorkflowAction = companyAction(async (db, caller, input: unknown) => {
  await deleteWorkflow(db, caller, idSchema.parse(input).id);
  return { deleted: true };
});

export const publishWorkflowAction = companyAction((db, caller, input: unknown) => {
  const { id, ...rest } = publishInput.parse(input);
  return publishWorkflow(db, catalog, caller, id, rest);
});

export const revertWorkflowAction = companyAction((db, caller, input: unknown) => {
  const { id, version } = revertInput.parse(input);
  return revertDraft(db, catalog, caller, id, { version });
});

export const setWorkflowEnabledAction = companyAction((db, caller, input: unknown) => {
  const { id, enabled } = enabledInput.parse(input);
  return setWorkflowEnabled(db, catalog, caller, id, enabled);
});

export const validateWorkflowAction = companyAction((db, caller, input: unknown) => {
  const { id, ...rest } = validateInput.parse(input);
  return validateWorkflow(db, catalog, caller, id, rest);
});

export const testStepAction = companyAction((db, caller, input: unknown) => {
  const { id, ...rest } = withId(testStepSchema.shape).parse(input);
  return testStep(db, catalog, caller, id, rest);
});

/** What Publish would do to the saved draft: the changes since the published version, and what strict validation finds. */
export const publishReviewAction = companyAction(async (db, caller, input: unknown) => {
  const { id } = idSchema.parse(input);
  const [workflow, problems] = await Promise.all([getWorkflow(db, catalog, caller, id), validateWorkflow(db, catalog, caller, id, { mode: "strict" })]);
  return { publishedVersion: workflow.publishedVersion, hasUnpublishedChanges: workflow.hasUnpublishedChanges, changes: workflow.changes, problems };
});
