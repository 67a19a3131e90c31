"use client";

import { Rocket } from "lucide-react";
import { publishWorkflowAction } from "@/app/(app)/workflows/actions";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { useAction } from "@/components/use-action";
import { definitionProblems, useLastFailure } from "@/components/workflows/action-failure";
import { ProblemList } from "@/components/workflows/problems";
import { useDraftBridge } from "@/components/workflows/unsaved-draft";

type PublishButtonProps = {
  workflowId: string;
  /** Set when the page already knows publishing would be refused: the id of the text saying why. */
  blockedBy?: string;
};

/**
 * Publishes the saved draft, after the editor has saved what is on screen. The page disables it
 * when the draft fails the strict check; should the draft change in between, the server's refusal
 * lists the problems in a dialog, each of which opens its node and field.
 */
export function PublishButton({ workflowId, blockedBy }: PublishButtonProps) {
  const [publish, failure, dismiss] = useLastFailure(publishWorkflowAction);
  const { run, pending } = useAction(publish, {
    success: ({ version, created, warnings }) =>
      [
        created ? `Published version ${version}` : `Nothing to publish: the draft matches version ${version}`,
        // The policy does not stop a publish, but a run would fail at these steps.
        ...warnings.map((warning) => warning.message),
      ].join(". "),
  });
  const problems = definitionProblems(failure);
  const draft = useDraftBridge();

  async function click() {
    if (await draft.flush()) run({ id: workflowId });
  }

  return (
    <>
      <Button onClick={() => void click()} pending={pending} disabled={blockedBy !== undefined} aria-describedby={blockedBy}>
        <Rocket aria-hidden />
        Publish
      </Button>
      <Dialog open={problems.length > 0} onOpenChange={(open) => !open && dismiss()}>
        <DialogContent className="max-h-[calc(100dvh-2rem)] max-w-xl overflow-y-auto">
          <DialogHeader>
            <DialogTitle>Not published</DialogTitle>
            <DialogDescription>
              {failure?.message}. {failure?.remediation}
            </DialogDescription>
          </DialogHeader>
          <ProblemList
            problems={problems}
            onSelect={
              draft.focusProblem &&
              ((problem) => {
                dismiss();
                draft.focusProblem?.(problem);
              })
            }
          />
          <DialogFooter>
            <DialogClose asChild>
              <Button>Close</Button>
            </DialogClose>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}
