"use client";

import { Rocket } from "lucide-react";
import { useState } from "react";
import { publishReviewAction, publishWorkflowAction } from "@/app/(app)/workflows/actions";
import type { ActionResult } from "@/lib/auth/action";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { useAction } from "@/components/use-action";
import { definitionProblems, useLastFailure } from "@/components/workflows/action-failure";
import { ChangesSummary } from "@/components/workflows/changes-summary";
import { ProblemList, type ProblemItem } from "@/components/workflows/problems";
import { useDraftBridge } from "@/components/workflows/unsaved-draft";

type PublishButtonProps = {
  workflowId: string;
  /** Set when the page already knows publishing would be refused: the id of the text saying why. */
  blockedBy?: string;
};

type Review = Awaited<ReturnType<typeof publishReviewAction>> extends ActionResult<infer T> ? T : never;

/**
 * Publishes the saved draft, after the editor has saved what is on screen and the person has seen
 * what changes since the published version and what problems strict validation finds. The page
 * disables it when the draft fails the strict check; should the draft change in between, the
 * server's refusal lists the problems in a dialog, each of which opens its node and field.
 */
export function PublishButton({ workflowId, blockedBy }: PublishButtonProps) {
  const [publish, failure, dismiss] = useLastFailure(publishWorkflowAction);
  const [review, setReview] = useState<Review | null>(null);
  const [reviewing, setReviewing] = useState(false);
  const { run, pending } = useAction(publish, {
    success: ({ version, created, warnings }) =>
      [
        created ? `Published version ${version}` : `Nothing to publish: the draft matches version ${version}`,
        // The policy does not stop a publish, but a run would fail at these steps.
        ...warnings.map((warning) => warning.message),
      ].join(". "),
    onSuccess: () => setReview(null),
  });
  const problems = definitionProblems(failure);
  const draft = useDraftBridge();
  const focus =
    draft.focusProblem &&
    ((problem: ProblemItem) => {
      dismiss();
      setReview(null);
      draft.focusProblem?.(problem);
    });

  async function click() {
    setReviewing(true);
    try {
      if (!(await draft.flush())) return;
      const result = await publishReviewAction({ id: workflowId });
      // Without a review (the server is unreachable, say) publishing goes on and reports its own failure.
      if (result.ok) setReview(result.data);
      else run({ id: workflowId });
    } finally {
      setReviewing(false);
    }
  }

  const errors = review?.problems.filter((problem) => problem.severity === "error") ?? [];
  const warnings = review?.problems.filter((problem) => problem.severity === "warning") ?? [];
  const next = (review?.publishedVersion ?? 0) + 1;

  return (
    <>
      <Button onClick={() => void click()} pending={pending || reviewing} disabled={blockedBy !== undefined} aria-describedby={blockedBy}>
        <Rocket aria-hidden />
        Publish
      </Button>
      <Dialog open={review !== null && problems.length === 0} onOpenChange={(open) => !open && setReview(null)}>
        <DialogContent className="max-h-[calc(100dvh-2rem)] max-w-xl overflow-y-auto" data-testid="publish-review">
          <DialogHeader>
            <DialogTitle>
              {errors.length > 0 ? "Not published" : review?.publishedVersion ? `Publish version ${next}?` : "Publish the first version?"}
            </DialogTitle>
            <DialogDescription>
              {errors.length > 0
                ? "The draft has problems a published workflow may not have. Each one below opens its step."
                : review?.publishedVersion
                  ? `Enabled triggers start the new version from now on; runs already going keep version ${review.publishedVersion}.`
                  : "Publishing makes the draft the version that runs once the workflow is enabled."}
            </DialogDescription>
          </DialogHeader>
          {review && (
            <div className="grid gap-4">
              <section aria-labelledby="publish-changes" className="grid gap-2">
                <h3 id="publish-changes" className="text-sm font-medium">
                  {review.publishedVersion ? `Changes since version ${review.publishedVersion}` : "Changes"}
                </h3>
                {!review.publishedVersion ? (
                  <p className="text-sm text-muted-foreground">Everything in the draft: this is the first version.</p>
                ) : review.changes && review.hasUnpublishedChanges ? (
                  <ChangesSummary changes={review.changes} />
                ) : (
                  <p className="text-sm text-muted-foreground">None: the draft matches version {review.publishedVersion}.</p>
                )}
              </section>
              {(errors.length > 0 || warnings.length > 0) && (
                <section aria-labelledby="publish-problems" className="grid gap-2">
                  <h3 id="publish-problems" className="text-sm font-medium">
                    {errors.length > 0 ? `Fix ${errors.length === 1 ? "1 problem" : `${errors.length} problems`} to publish` : "Warnings"}
                  </h3>
                  <ProblemList problems={[...errors, ...warnings]} onSelect={focus} />
                </section>
              )}
            </div>
          )}
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button onClick={() => run({ id: workflowId })} pending={pending} disabled={errors.length > 0}>
              <Rocket aria-hidden />
              Publish
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
      <Dialog open={problems.length > 0} onOpenChange={(open) => !open && dismiss()}>
        <DialogContent className="max-h-[calc(100dvh-2rem)] max-w-xl overflow-y-auto">
          <DialogHeader>
            <DialogTitle>Not published</DialogTitle>
            <DialogDescription>
              {failure?.message}. {failure?.remediation}
            </DialogDescription>
          </DialogHeader>
          <ProblemList problems={problems} onSelect={focus} />
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
