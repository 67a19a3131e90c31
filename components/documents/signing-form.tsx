"use client";

import { useState, useTransition } from "react";
import { declineDocumentAction, signDocumentAction } from "@/app/sign/[token]/actions";
import { SignaturePad } from "@/components/documents/signature-pad";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { ActionResult } from "@/lib/auth/action";

type Outcome = { done: string } | { error: string; remediation?: string } | null;

/** Consent, a typed or drawn signature, sign; or decline with a reason. The token is the authorization. */
export function SigningForm({ token, signerName }: { token: string; signerName: string }) {
  const [consent, setConsent] = useState(false);
  const [mode, setMode] = useState<"typed" | "drawn">("typed");
  const [typed, setTyped] = useState(signerName);
  const [drawing, setDrawing] = useState<string | null>(null);
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState("");
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [pending, startTransition] = useTransition();

  function settle<T>(result: ActionResult<T>, done: string) {
    setOutcome(result.ok ? { done } : { error: result.error.message, remediation: result.error.remediation });
  }

  if (outcome && "done" in outcome) {
    return (
      <Alert role="status" aria-live="polite">
        {outcome.done}
      </Alert>
    );
  }

  const ready = consent && (mode === "typed" ? typed.trim().length >= 2 : drawing !== null);
  const signature = mode === "typed" ? { kind: "typed" as const, text: typed } : { kind: "drawn" as const, dataUrl: drawing ?? "" };

  return (
    <div className="grid gap-5">
      {!declining && (
        <>
          <div className="grid gap-3">
            <div role="tablist" aria-label="How to sign" className="inline-flex w-fit rounded-md border p-0.5 text-sm">
              {(["typed", "drawn"] as const).map((kind) => (
                <button
                  key={kind}
                  role="tab"
                  type="button"
                  aria-selected={mode === kind}
                  onClick={() => setMode(kind)}
                  className={`rounded px-3 py-1 ${mode === kind ? "bg-primary text-primary-foreground" : "text-muted-foreground hover:text-foreground"}`}
                >
                  {kind === "typed" ? "Type" : "Draw"}
                </button>
              ))}
            </div>
            {mode === "typed" ? (
              <div className="grid gap-2">
                <Label htmlFor="typed-signature">Your full name</Label>
                <Input id="typed-signature" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="name" maxLength={200} />
                <p aria-hidden className="min-h-10 truncate border-b border-dashed font-serif text-3xl italic text-indigo-900 dark:text-indigo-200">
                  {typed}
                </p>
              </div>
            ) : (
              <SignaturePad onChange={setDrawing} />
            )}
          </div>
          <label className="flex items-start gap-2.5 text-sm">
            <input type="checkbox" className="mt-0.5 size-4 accent-primary" checked={consent} onChange={(e) => setConsent(e.target.checked)} />
            <span>I have read the document and agree to sign it electronically. My signature, the time, my IP address and browser are recorded.</span>
          </label>
          <div className="flex flex-wrap items-center gap-3">
            <Button
              pending={pending}
              disabled={!ready}
              onClick={() =>
                startTransition(async () =>
                  settle(
                    await signDocumentAction({ token, consent: true, signature }),
                    "Signed. Thank you: the sender gets your signature, and you can close this page.",
                  ),
                )
              }
            >
              Sign document
            </Button>
            <Button variant="ghost" onClick={() => setDeclining(true)}>
              Decline to sign
            </Button>
          </div>
        </>
      )}
      {declining && (
        <div className="grid gap-3">
          <Label htmlFor="decline-reason">Why do you decline?</Label>
          <textarea
            id="decline-reason"
            className="min-h-24 rounded-md border border-input bg-background px-3 py-2 text-sm"
            value={reason}
            maxLength={2000}
            onChange={(e) => setReason(e.target.value)}
          />
          <div className="flex flex-wrap gap-3">
            <Button
              variant="destructive"
              pending={pending}
              disabled={!reason.trim()}
              onClick={() =>
                startTransition(async () =>
                  settle(await declineDocumentAction({ token, reason }), "You declined to sign. The sender has been told, with your reason."),
                )
              }
            >
              Decline
            </Button>
            <Button variant="ghost" onClick={() => setDeclining(false)}>
              Back
            </Button>
          </div>
        </div>
      )}
      {outcome && "error" in outcome && (
        <Alert tone="error">
          <p>{outcome.error}</p>
          {outcome.remediation && <p>{outcome.remediation}</p>}
        </Alert>
      )}
    </div>
  );
}
