"use client";

import { Link2 } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import type { OpenWaitpoint } from "@/lib/workflow/runs";
import { approvalLinkAction, decideApprovalAction } from "@/app/(app)/runs/actions";
import { DecisionForm } from "@/components/runs/decision-form";
import { Timestamp } from "@/components/runs/time";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { ShowOnce } from "@/components/ui/show-once";
import { useAction } from "@/components/use-action";

/**
 * An approval the run waits on. Any member may decide (as through the API); only admins create a
 * signed link for someone outside the company, since it lets its holder decide without signing in.
 */
export function ApprovalCard({ waitpoint, canShareLink }: { waitpoint: OpenWaitpoint; canShareLink: boolean }) {
  const decision = useAction(decideApprovalAction, { success: ({ decision }) => (decision === "approved" ? "Approved" : "Rejected") });
  const [link, setLink] = useState<string | null>(null);
  const share = useAction(approvalLinkAction, {
    onSuccess: ({ url }) => {
      setLink(url);
      // Not awaited, and absent on plain-http origins: where the browser refuses, the link shows with its own Copy button.
      navigator.clipboard?.writeText(url).then(
        () => toast.success("Approval link copied"),
        () => undefined,
      );
    },
  });
  const titleId = `approval-${waitpoint.id}`;

  return (
    <Card role="region" aria-labelledby={titleId}>
      <CardHeader>
        <CardTitle as="h3" id={titleId} className="text-base">
          Approval <code className="rounded bg-muted px-1 py-0.5 font-mono text-sm">{waitpoint.nodeId}</code>
        </CardTitle>
        {waitpoint.timeoutAt && (
          <CardDescription>
            Times out <Timestamp iso={waitpoint.timeoutAt} />
          </CardDescription>
        )}
      </CardHeader>
      <CardContent className="grid gap-4">
        {waitpoint.message && <p className="text-sm whitespace-pre-wrap">{waitpoint.message}</p>}
        <DecisionForm pending={decision.pending} onDecide={(input) => decision.run({ id: waitpoint.id, ...input })} />
      </CardContent>
      {canShareLink && (
        <CardFooter className="block">
          {link ? (
            <ShowOnce
              label="Approval link"
              value={link}
              copyLabel="Copy link"
              warning="Anyone with this link can approve or reject once, without signing in. It is shown only now, and creating another link turns this one off."
            />
          ) : (
            <Button variant="outline" size="sm" pending={share.pending} onClick={() => share.run({ id: waitpoint.id })}>
              {!share.pending && <Link2 aria-hidden />}
              Copy approval link
            </Button>
          )}
        </CardFooter>
      )}
    </Card>
  );
}
