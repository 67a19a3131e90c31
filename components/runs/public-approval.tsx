"use client";

import { useState, useTransition } from "react";
import { DecisionForm, type Decision } from "@/components/runs/decision-form";
import { Alert } from "@/components/ui/alert";

type Outcome = { ok: true; text: string } | { ok: false; message: string; remediation?: string };

/** Decides through the signed link: no session, the token in the body is the authorization. */
export function PublicApproval({ id, token }: { id: string; token: string }) {
  const [pending, startTransition] = useTransition();
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  function decide(decision: Decision) {
    startTransition(async () => {
      setOutcome(await send(id, token, decision));
    });
  }

  if (outcome?.ok) {
    return (
      <Alert role="status" aria-live="polite">
        {outcome.text}
      </Alert>
    );
  }
  return (
    <div className="grid gap-4">
      <DecisionForm pending={pending} onDecide={decide} />
      {outcome && (
        <Alert tone="error">
          <p>{outcome.message}</p>
          {outcome.remediation && <p>{outcome.remediation}</p>}
        </Alert>
      )}
    </div>
  );
}

async function send(id: string, token: string, decision: Decision): Promise<Outcome> {
  try {
    const response = await fetch(`/api/approvals/${encodeURIComponent(id)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token, ...decision }),
    });
    if (response.ok) return { ok: true, text: decision.approved ? "Approved. The run continues." : "Rejected. The run continues without approval." };
    const body = (await response.json().catch(() => null)) as { error?: { message?: string; remediation?: string } } | null;
    return { ok: false, message: body?.error?.message ?? "Something went wrong", remediation: body?.error?.remediation };
  } catch {
    return { ok: false, message: "Could not reach Flowline", remediation: "Check your connection and try again." };
  }
}
