"use client";

import { KeyRound } from "lucide-react";
import { useState } from "react";
import { rotateWebhookSecretAction } from "@/app/(app)/workflows/[id]/trigger-actions";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { ShowOnce } from "@/components/ui/show-once";
import { useAction } from "@/components/use-action";

/** Generates (or rotates) the webhook secret and shows it once: the server keeps it sealed. */
export function WebhookSecretDialog({ workflowId, hasSecret }: { workflowId: string; hasSecret: boolean }) {
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<{ value: string; previousValidUntil: string | null } | null>(null);
  const { run, pending } = useAction(rotateWebhookSecretAction, {
    success: hasSecret ? "Secret rotated" : "Secret created",
    onSuccess: (data) => setSecret({ value: data.secret, previousValidUntil: data.previousValidUntil }),
  });
  const change = (next: boolean) => {
    setOpen(next);
    if (!next) setSecret(null);
  };
  return (
    <Dialog open={open} onOpenChange={change}>
      <DialogTrigger asChild>
        <Button variant="outline">
          <KeyRound aria-hidden />
          {hasSecret ? "Rotate secret" : "Generate secret"}
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{secret ? "Copy the signing secret" : hasSecret ? "Rotate the webhook secret?" : "Generate a webhook secret"}</DialogTitle>
          <DialogDescription>
            {secret
              ? "The sender signs each call with it (Standard Webhooks, or HMAC-SHA256 of the body)."
              : hasSecret
                ? "A new secret replaces the current one; the current one keeps working for 24 hours, so the sender can switch without losing calls."
                : "Calls to the webhook URL are accepted only when signed with this secret."}
          </DialogDescription>
        </DialogHeader>
        {secret ? (
          <ShowOnce
            label="Signing secret"
            value={secret.value}
            copyLabel="Copy secret"
            warning={`Copy it now: you won't see it again.${secret.previousValidUntil ? ` The previous secret works until ${new Date(secret.previousValidUntil).toLocaleString()}.` : ""}`}
          />
        ) : null}
        <DialogFooter>
          {secret ? (
            <DialogClose asChild>
              <Button>Done</Button>
            </DialogClose>
          ) : (
            <>
              <DialogClose asChild>
                <Button variant="outline">Cancel</Button>
              </DialogClose>
              <Button pending={pending} onClick={() => run({ workflowId })}>
                {hasSecret ? "Rotate" : "Generate"}
              </Button>
            </>
          )}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
