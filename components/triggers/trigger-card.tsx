import Link from "next/link";
import type { TriggerEvent, TriggerOverview } from "@/lib/triggers/history";
import { Timestamp } from "@/components/runs/time";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { TestEventControls } from "./test-event-controls";
import { WebhookSecretDialog } from "./webhook-secret-dialog";

const describe: Record<string, string> = {
  manual: "Runs start with Run now or through the API.",
  webhook: "Runs start when another system calls this URL with a signed request.",
  schedule: "Runs start on the schedule below, while the workflow is enabled.",
  "email.inbound": "Runs start when an email is received through Resend.",
  "document.completed": "Runs start when every signer of a Doc Manager document has signed.",
};

/** What starts this workflow's runs, and every event its trigger received. */
export function TriggerCard({
  workflowId,
  overview,
  events,
  canEdit,
}: {
  workflowId: string;
  overview: TriggerOverview;
  events: TriggerEvent[];
  canEdit: boolean;
}) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Trigger</CardTitle>
        <CardDescription>
          {describe[overview.type] ?? overview.type}
          {overview.type !== "manual" && !(overview.published && overview.enabled) && " It fires only once the workflow is published and enabled."}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-6">
        {overview.webhook && (
          <div className="grid gap-3">
            <div className="flex min-w-0 flex-wrap items-center gap-2">
              <code className="min-w-0 rounded bg-muted px-2 py-1 font-mono text-xs break-all">{overview.webhook.url}</code>
              <CopyButton value={overview.webhook.url} label="Copy URL" />
              {canEdit && <WebhookSecretDialog workflowId={workflowId} hasSecret={overview.webhook.hasSecret} />}
            </div>
            <p className="text-sm text-muted-foreground">
              {overview.webhook.hasSecret ? (
                <>
                  Signing secret set
                  {overview.webhook.rotatedAt && (
                    <>
                      {" "}
                      (<Timestamp iso={overview.webhook.rotatedAt} />)
                    </>
                  )}
                  {overview.webhook.previousValidUntil && (
                    <>
                      ; the previous one works until <Timestamp iso={overview.webhook.previousValidUntil} />
                    </>
                  )}
                  .
                </>
              ) : (
                "No signing secret yet: calls are refused until you generate one."
              )}{" "}
              POST JSON or a form; sign with Standard Webhooks headers, or set HMAC-SHA256 in the trigger&apos;s config.
            </p>
          </div>
        )}
        {overview.inboundAddress && (
          <div className="flex min-w-0 flex-wrap items-center gap-2 text-sm">
            <span>Send or forward mail to</span>
            <code className="min-w-0 rounded bg-muted px-2 py-1 font-mono text-xs break-all">{overview.inboundAddress}</code>
            <CopyButton value={overview.inboundAddress} label="Copy address" />
          </div>
        )}
        {overview.schedule && (
          <div className="grid gap-2 text-sm">
            <p>
              <code className="font-mono">{overview.schedule.cron}</code> in {overview.schedule.timezone}. Next:
            </p>
            <ul className="grid gap-1 text-muted-foreground">
              {overview.schedule.nextFireTimes.map((iso) => (
                <li key={iso}>
                  <Timestamp iso={iso} />
                </li>
              ))}
            </ul>
          </div>
        )}
        {canEdit && (overview.draftType === "webhook" || overview.type === "document.completed" || overview.testEmail) && (
          <TestEventControls
            workflowId={workflowId}
            type={overview.type}
            draftType={overview.draftType}
            listeningUntil={overview.listeningUntil}
            testEmail={overview.testEmail}
          />
        )}
        {overview.type !== "manual" && (
          <div className="grid gap-2">
            <h3 className="text-sm font-medium">Received</h3>
            {events.length === 0 ? (
              <p className="text-sm text-muted-foreground">Nothing yet. Every call, tick or event shows here, refused ones with the reason.</p>
            ) : (
              <Table>
                <TableHeader>
                  <TableRow>
                    <TableHead>When</TableHead>
                    <TableHead>Outcome</TableHead>
                    <TableHead>Runs</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {events.map((event) => (
                    <TableRow key={event.id}>
                      <TableCell className="whitespace-nowrap">
                        <Timestamp iso={event.receivedAt} />
                      </TableCell>
                      <TableCell>
                        {event.status === "rejected" ? (
                          <span className="text-destructive">Refused: {event.reason}</span>
                        ) : (
                          <>
                            <Badge variant="secondary">{event.runIds.length > 0 || event.reason ? "Accepted" : "Accepted, no workflow matched"}</Badge>
                            {event.reason && <span className="ml-2 text-muted-foreground">{event.reason}</span>}
                          </>
                        )}
                      </TableCell>
                      <TableCell>
                        {event.runIds.map((runId) => (
                          <Link key={runId} href={`/runs/${runId}`} className="mr-2 font-mono text-xs underline underline-offset-4">
                            {runId.slice(-8)}
                          </Link>
                        ))}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </div>
        )}
      </CardContent>
    </Card>
  );
}
