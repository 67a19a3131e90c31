"use client";

import { CircleStop, RotateCcw } from "lucide-react";
import { useRouter } from "next/navigation";
import type { RunSummary } from "@/lib/workflow/runs";
import { cancelRunAction, replayRunAction } from "@/app/(app)/runs/actions";
import { ActionButton } from "@/components/action-button";
import { isActive } from "@/components/runs/run-badges";
import { Button } from "@/components/ui/button";
import { useAction } from "@/components/use-action";

/** Cancel while the run may still change; Replay once it failed or was cancelled. */
export function RunActions({ run }: { run: Pick<RunSummary, "id" | "status"> }) {
  if (isActive(run.status)) {
    return (
      <ActionButton
        action={cancelRunAction}
        input={{ id: run.id }}
        variant="outline"
        success="Run cancelled"
        confirm={{
          title: "Cancel this run?",
          description: "It stops before its next step and open approvals close. Steps that already ran are not undone.",
          confirmLabel: "Yes, cancel run",
        }}
      >
        <CircleStop aria-hidden />
        Cancel run
      </ActionButton>
    );
  }
  if (run.status === "failed" || run.status === "cancelled") return <ReplayButton id={run.id} />;
  return null;
}

/** Starts a new run that reuses the finished steps, and opens it. */
function ReplayButton({ id }: { id: string }) {
  const router = useRouter();
  const { run, pending } = useAction(replayRunAction, {
    success: "Replay started",
    onSuccess: (replay) => router.push(`/runs/${replay.id}`),
  });
  return (
    <Button variant="outline" pending={pending} onClick={() => run({ id })}>
      {!pending && <RotateCcw aria-hidden />}
      Replay run
    </Button>
  );
}
