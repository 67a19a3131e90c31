"use client";

import { Ear, Mail, Send } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { emitTestEventAction, listenForTestEventAction, sendTestEmailAction, testEventStatusAction } from "@/app/(app)/workflows/[id]/trigger-actions";
import { Timestamp } from "@/components/runs/time";
import { Button } from "@/components/ui/button";
import { useAction } from "@/components/use-action";

const POLL_MS = 2_000;

/**
 * Trying the trigger from its card: listen for one webhook call as the sample payload (the editor's
 * variable picker then offers its fields), emit a test document.completed event, or (sandbox) send
 * a test email. Each refreshes the page, so the history, the runs and the editor's draft follow.
 */
export function TestEventControls({
  workflowId,
  type,
  draftType,
  listeningUntil: initialUntil,
  testEmail,
}: {
  workflowId: string;
  type: string;
  draftType: string;
  listeningUntil: string | null;
  testEmail: boolean;
}) {
  const router = useRouter();
  const [listeningUntil, setListeningUntil] = useState(initialUntil);
  const listen = useAction(listenForTestEventAction, { onSuccess: (data) => setListeningUntil(data.listeningUntil) });
  const emit = useAction(emitTestEventAction, {
    success: (data) => `Test event sent: ${data.runIds.length === 1 ? "1 run" : `${data.runIds.length} runs`} started`,
    onSuccess: () => router.refresh(),
  });
  const email = useAction(sendTestEmailAction, {
    success: (data) => (data.status === 202 ? "Test email received: a run started" : `Test email delivered; the app answered ${data.status}`),
    onSuccess: () => router.refresh(),
  });

  // While listening, look every few seconds whether the call came; then the page (and the editor) reload.
  useEffect(() => {
    if (!listeningUntil) return;
    const timer = setInterval(async () => {
      const result = await testEventStatusAction({ workflowId });
      if (!result.ok || result.data.listeningUntil) return;
      setListeningUntil(null);
      if (result.data.sample) toast.success("Sample captured", { description: "The editor's variable picker now offers its fields." });
      router.refresh();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [listeningUntil, workflowId, router]);

  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      {draftType === "webhook" &&
        (listeningUntil ? (
          <p role="status" className="text-muted-foreground">
            Listening: the next signed call to the URL (until <Timestamp iso={listeningUntil} />) becomes the sample payload and starts no run.
          </p>
        ) : (
          <Button variant="outline" disabled={listen.pending} onClick={() => listen.run({ workflowId })}>
            <Ear aria-hidden />
            Listen for a test event
          </Button>
        ))}
      {type === "document.completed" && (
        <Button variant="outline" disabled={emit.pending} onClick={() => emit.run({ workflowId })}>
          <Send aria-hidden />
          Emit test event
        </Button>
      )}
      {testEmail && (
        <Button variant="outline" disabled={email.pending} onClick={() => email.run({ workflowId })}>
          <Mail aria-hidden />
          Send test email
        </Button>
      )}
    </div>
  );
}
