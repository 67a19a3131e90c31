import type { Metadata } from "next";
import { getDb } from "@/lib/db";
import { hashToken } from "@/lib/workflow/control/approval";
import { CenteredPage } from "@/components/centered-page";
import { PublicApproval } from "@/components/runs/public-approval";
import { Timestamp } from "@/components/runs/time";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

// The link carries a secret: keep it out of search engines and out of Referer headers.
export const metadata: Metadata = { title: "Approval", robots: { index: false, follow: false }, referrer: "no-referrer" };

type PageProps = { params: Promise<{ id: string }>; searchParams: Promise<{ token?: string | string[] }> };

/** The approval this link may decide, or null: unknown, already decided, or a token that is not (or no longer) its own. */
async function openApproval(id: string, token: string) {
  const db = await getDb();
  const waitpoint = await db.waitpoint.findUnique({ where: { id }, include: { run: { select: { id: true, workflow: { select: { name: true } } } } } });
  if (!waitpoint || waitpoint.kind !== "approval" || waitpoint.completedAt || waitpoint.tokenHash !== hashToken(token)) return null;
  const step = await db.workflowRunStep.findFirst({
    where: { runId: waitpoint.runId, nodeId: waitpoint.nodeId, iterationPath: waitpoint.iterationPath, status: "waiting" },
  });
  const message = (step?.input as { message?: unknown } | null)?.message;
  return {
    workflowName: waitpoint.run.workflow.name,
    message: typeof message === "string" ? message : null,
    timeoutAt: waitpoint.timeoutAt,
    approver: waitpoint.linkApprover,
  };
}

export default async function ApprovePage({ params, searchParams }: PageProps) {
  const { id } = await params;
  const { token } = await searchParams;
  const secret = typeof token === "string" ? token : "";
  const approval = secret ? await openApproval(id, secret) : null;

  if (!approval) {
    return (
      <CenteredPage>
        <Card>
          <CardHeader>
            <CardTitle as="h1">This approval link is no longer valid</CardTitle>
            <CardDescription>
              An approval link works once. It also stops working when someone decides in Flowline, when the run ends, or when a newer link is created. Ask the
              person who sent it for a new one.
            </CardDescription>
          </CardHeader>
        </Card>
      </CenteredPage>
    );
  }

  return (
    <CenteredPage>
      <Card>
        <CardHeader>
          <CardTitle as="h1">Approve or reject</CardTitle>
          <CardDescription>
            The workflow <span className="font-medium text-foreground">{approval.workflowName}</span> is waiting for your decision
            {approval.approver && (
              <>
                {" "}
                as <span className="font-medium text-foreground">{approval.approver}</span>
              </>
            )}
            .
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          {approval.message && <p className="rounded-lg border bg-muted/40 px-3 py-2.5 text-sm whitespace-pre-wrap">{approval.message}</p>}
          {approval.timeoutAt && (
            <p className="text-xs text-muted-foreground">
              Without a decision by <Timestamp iso={approval.timeoutAt.toISOString()} />, the run continues as timed out.
            </p>
          )}
          <PublicApproval id={id} token={secret} />
        </CardContent>
      </Card>
    </CenteredPage>
  );
}
