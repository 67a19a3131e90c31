"use client";

import { Check, X } from "lucide-react";
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { controlClasses } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { cn } from "@/lib/utils/cn";

export type Decision = { approved: boolean; comment?: string };

/** Approve or Reject with an optional comment; the run page and the public link page send it their own way. */
export function DecisionForm({ pending, onDecide }: { pending: boolean; onDecide: (decision: Decision) => void }) {
  const commentId = useId();
  const [comment, setComment] = useState("");
  // Which button was pressed, so only that one shows the spinner.
  const [choice, setChoice] = useState<boolean | null>(null);

  function decide(approved: boolean) {
    setChoice(approved);
    const trimmed = comment.trim();
    onDecide({ approved, ...(trimmed ? { comment: trimmed } : {}) });
  }

  return (
    <div className="grid gap-3">
      <div className="grid gap-2">
        <Label htmlFor={commentId}>Comment (optional)</Label>
        <textarea
          id={commentId}
          value={comment}
          onChange={(event) => setComment(event.target.value)}
          maxLength={2000}
          rows={2}
          className={cn(controlClasses, "h-auto min-h-16 resize-y py-2")}
        />
      </div>
      <div className="flex flex-wrap gap-2">
        <Button onClick={() => decide(true)} pending={pending && choice === true} disabled={pending}>
          {!(pending && choice === true) && <Check aria-hidden />}
          Approve
        </Button>
        <Button variant="outline" onClick={() => decide(false)} pending={pending && choice === false} disabled={pending}>
          {!(pending && choice === false) && <X aria-hidden />}
          Reject
        </Button>
      </div>
    </div>
  );
}
