"use client";

import type { RunDetail } from "@/lib/workflow/runs";
import type { UndoPreview } from "@/lib/workflow/undo";
import { ApprovalCard } from "@/components/runs/approval-card";
import { JsonBlock } from "@/components/runs/json-block";
import { RunActions } from "@/components/runs/run-actions";
import { RunHeader } from "@/components/runs/run-header";
import { PolicySnapshotView } from "@/components/runs/policy-snapshot";
import { StepsList } from "@/components/runs/steps-list";
import { UndoEffects } from "@/components/runs/undo-effects";
import { useLiveRun } from "@/components/runs/use-live-run";

/** The run page's body: rendered on the server first, then following the run until it finishes. */
export function LiveRun({ initial, canManage, undo }: { initial: RunDetail; canManage: boolean; /** Admins only. */ undo: UndoPreview | null }) {
  const run = useLiveRun(initial);
  const approvals = run.waitpoints.filter((waitpoint) => waitpoint.kind === "approval");
  return (
    <div className="grid gap-8">
      <RunHeader run={run} actions={canManage && <RunActions run={run} />} />
      {approvals.length > 0 && (
        <section aria-labelledby="approvals-heading" className="grid gap-3">
          <h2 id="approvals-heading" className="text-lg font-semibold">
            Waiting for approval
          </h2>
          {approvals.map((waitpoint) => (
            <ApprovalCard key={waitpoint.id} waitpoint={waitpoint} canShareLink={canManage} />
          ))}
        </section>
      )}
      <StepsList run={run} />
      {undo && <UndoEffects initial={undo} runStatus={run.status} />}
      <PolicySnapshotView policy={run.policy} />
      <section aria-labelledby="payload-heading" className="grid gap-3">
        <h2 id="payload-heading" className="text-lg font-semibold">
          Trigger payload
        </h2>
        <JsonBlock value={run.payload} label="Trigger payload" />
      </section>
    </div>
  );
}
