import type { PolicySnapshot } from "@/lib/workflow/policy";

/** The policy a run was created under, as the run page shows it: later changes do not apply to this run. */
export function PolicySnapshotView({ policy }: { policy: PolicySnapshot | null }) {
  const blocked = policy ? [...policy.company.blockedProviders.map((p) => `every ${p} action`), ...policy.company.blockedActions] : [];
  return (
    <section aria-labelledby="policy-heading" className="grid gap-2">
      <h2 id="policy-heading" className="text-lg font-semibold">
        Policy
      </h2>
      <div className="grid gap-1 rounded-xl border bg-card px-3 py-3 text-sm sm:px-4">
        {policy ? (
          <>
            <p>
              <span className="text-muted-foreground">Blocked by the company: </span>
              {blocked.length > 0 ? blocked.join(", ") : "nothing"}
            </p>
            <p>
              <span className="text-muted-foreground">This workflow&apos;s allowlist: </span>
              {policy.workflow
                ? policy.workflow.allow.length > 0
                  ? policy.workflow.allow.join(", ")
                  : "nothing allowed"
                : "none (the company's policy applies)"}
            </p>
          </>
        ) : (
          <p>This run started before policies existed: nothing is blocked.</p>
        )}
        <p className="text-xs text-muted-foreground">As it was when the run was created; a later change in Settings &gt; Policy does not apply to this run.</p>
      </div>
    </section>
  );
}
