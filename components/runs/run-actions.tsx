"use client";

import { CircleStop, Play, RotateCcw } from "lucide-react";
import { useRouter } from "next/navigation";
import type { RunSummary } from "@/lib/workflow/runs";
import { cancelRunAction, replayRunAction, rerunRunAction } from "@/app/(app)/runs/actions";
import { ActionButton } from "@/components/action-button";
import { isActive } from "@/components/runs/run-badges";
import { Button } from "@/components/ui/button";
import { useAction } from "@/components/use-action";

/**
 * Cancel while the run may still change; once it ended, Replay (failed or cancelled: reuse the
 * finished steps) and Run again (every step anew, on the latest published version, or on the
 * current draft for a test run of the draft; a dry run reruns dry).
 */
export function RunActions({ run }: { run: Pick<RunSummary, "id" | "status" | "version" | "dryRun"> }) {
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
  return (
    <div className="flex flex-wrap gap-2">
      {run.status !== "succeeded" && <RestartButton id={run.id} kind="replay" />}
      <RestartButton id={run.id} kind={run.version === "draft" ? "rerunDraft" : "rerun"} dryRun={run.dryRun} />
    </div>
  );
}

const restarts = {
  replay: { action: replayRunAction, label: "Replay run", success: "Replay started", Icon: RotateCcw },
  rerun: { action: rerunRunAction, label: "Run again on latest version", success: "New run started", Icon: Play },
  rerunDraft: { action: rerunRunAction, label: "Run again on current draft", success: "New test run started", Icon: Play },
};

/** Starts the new run and opens it. */
function RestartButton({ id, kind, dryRun = false }: { id: string; kind: keyof typeof restarts; dryRun?: boolean }) {
  const router = useRouter();
  const { action, success, Icon } = restarts[kind];
  const label = dryRun ? `${restarts[kind].label} (dry run)` : restarts[kind].label;
  const { run, pending } = useAction(action, {
    success,
    onSuccess: (created) => router.push(`/runs/${created.id}`),
  });
  return (
    <Button variant="outline" pending={pending} onClick={() => run({ id })}>
      {!pending && <Icon aria-hidden />}
      {label}
    </Button>
  );
}
