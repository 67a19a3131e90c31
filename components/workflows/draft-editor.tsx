"use client";

import { RefreshCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ActionResult } from "@/lib/auth/action";
import type { WorkflowDetail } from "@/lib/workflow/store";
import { updateWorkflowAction } from "@/app/(app)/workflows/actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { useFormAction } from "@/components/use-action";
import { definitionProblems, invalidJson, useLastFailure } from "@/components/workflows/action-failure";
import { JsonField } from "@/components/workflows/json-field";
import { parseJsonText } from "@/components/workflows/json-text";
import { useReportUnsavedDraft } from "@/components/workflows/unsaved-draft";

type DraftEditorProps = {
  workflowId: string;
  /** The saved draft, formatted. The page keys the editor by revision: a save, restore or reload starts it afresh. */
  saved: string;
  /** Changes with every save of the draft, by anyone; sent back so a save never overwrites someone else's. */
  revision: string;
};

/** Edits the draft as JSON until the graph editor exists; saving is refused if someone saved in between. */
export function DraftEditor({ workflowId, saved, revision }: DraftEditorProps) {
  const router = useRouter();
  const [text, setText] = useState(saved);
  const [save, failure] = useLastFailure(async (values: Record<string, string>): Promise<ActionResult<WorkflowDetail>> => {
    const parsed = parseJsonText(values.definition ?? "");
    if (!parsed.ok) return invalidJson(parsed.message);
    return updateWorkflowAction({ id: workflowId, changes: { definition: parsed.value, baseRevision: revision } });
  });
  const { formProps, pending, fieldErrors } = useFormAction(save, { success: "Draft saved" });
  const problems = definitionProblems(failure);
  const dirty = text !== saved;
  useReportUnsavedDraft(dirty);

  return (
    <form {...formProps} className="grid gap-3">
      <JsonField
        label="Definition (JSON)"
        name="definition"
        value={text}
        onChange={setText}
        error={problems.length > 0 ? `Not saved. ${failure?.message}:` : fieldErrors.definition}
        problems={problems}
        status={dirty && <span className="font-medium text-foreground">Unsaved changes</span>}
      />
      {failure?.code === "conflict" && (
        <Alert tone="warning">
          <p className="font-medium">{failure.message}.</p>
          <p>Reload to get the current draft; it replaces the text above, so copy your edits first if you want to reapply them.</p>
          <div className="mt-1 flex flex-wrap gap-2">
            <Button onClick={() => router.refresh()}>
              <RefreshCw aria-hidden />
              Reload
            </Button>
            <CopyButton value={text} label="Copy your edits" />
          </div>
        </Alert>
      )}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" pending={pending}>
          Save draft
        </Button>
        {dirty && (
          <Button variant="ghost" onClick={() => setText(saved)}>
            Discard changes
          </Button>
        )}
      </div>
    </form>
  );
}
