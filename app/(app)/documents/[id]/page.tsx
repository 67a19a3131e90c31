import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { archiveDocumentAction, cancelRequestAction, deleteDocumentAction, resendRequestAction, unarchiveDocumentAction } from "@/app/(app)/documents/actions";
import { ActionButton } from "@/components/action-button";
import { DocumentStatusBadge } from "@/components/documents/status-badge";
import { RequestSignatureForm } from "@/components/documents/request-form";
import { formatDateTime } from "@/components/format";
import { PageHeader } from "@/components/page-header";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { pageCaller } from "@/lib/auth/session";
import { hasRole } from "@/lib/auth/roles";
import { getDb } from "@/lib/db";
import { getDocument } from "@/lib/documents/documents";
import { AppError } from "@/lib/errors";

export const metadata: Metadata = { title: "Document" };

const when = (iso: string | null) => (iso ? <time dateTime={iso}>{formatDateTime(new Date(iso))}</time> : "—");

export default async function DocumentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const caller = await pageCaller();
  const document = await getDocument(await getDb(), caller, id).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  });
  const file = `/api/v1/documents/${document.id}/file`;
  const open = document.requests.find((r) => r.status === "pending");
  const canSend = ["draft", "declined", "expired"].includes(document.status);

  return (
    <>
      <PageHeader
        title={document.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <DocumentStatusBadge status={document.status} />
            {document.folder && <span>in {document.folder}</span>}
            {document.tags.length > 0 && <span>· {document.tags.join(", ")}</span>}
          </span>
        }
        actions={
          <>
            <Button asChild variant="outline">
              <a href={file} download>
                Download
              </a>
            </Button>
            {document.hasSignedCopy && (
              <Button asChild>
                <a href={`${file}?version=signed`} download>
                  Download signed PDF
                </a>
              </Button>
            )}
          </>
        }
      />
      <div className="grid gap-5 lg:grid-cols-[1fr_24rem]">
        <Card className="overflow-hidden">
          <CardHeader>
            <CardTitle>Preview</CardTitle>
            <CardDescription>
              {document.mimeType} · {(document.sizeBytes / 1024).toFixed(0)} KB · sha256 <span className="font-mono text-xs break-all">{document.sha256}</span>
            </CardDescription>
          </CardHeader>
          <CardContent>
            {document.mimeType === "application/pdf" ? (
              <iframe
                title={`Preview of ${document.name}`}
                src={`${file}?inline=1${document.hasSignedCopy ? "&version=signed" : ""}`}
                className="h-[70dvh] w-full rounded-md border bg-white"
              />
            ) : (
              // eslint-disable-next-line @next/next/no-img-element
              <img alt={`Preview of ${document.name}`} src={`${file}?inline=1`} className="mx-auto max-h-[70dvh] rounded-md border" />
            )}
          </CardContent>
        </Card>
        <div className="grid h-fit gap-5">
          {canSend && (
            <Card>
              <CardHeader>
                <CardTitle>Request signatures</CardTitle>
                <CardDescription>Each signer gets an email with a personal link that works once.</CardDescription>
              </CardHeader>
              <CardContent>
                <RequestSignatureForm documentId={document.id} />
              </CardContent>
            </Card>
          )}
          {document.requests.map((request) => (
            <Card key={request.id}>
              <CardHeader>
                <CardTitle>Signature request · {request.status}</CardTitle>
                <CardDescription>
                  {request.order === "sequential" ? "One after another" : "All at once"} · expires {when(request.expiresAt)}
                </CardDescription>
              </CardHeader>
              <CardContent className="grid gap-3">
                <ul className="grid gap-2 text-sm">
                  {request.signers.map((signer) => (
                    <li key={signer.id} className="flex flex-wrap justify-between gap-2">
                      <span className="[overflow-wrap:anywhere]">
                        {signer.name} <span className="text-muted-foreground">{signer.email}</span>
                      </span>
                      <span className="text-muted-foreground">
                        {signer.status}
                        {signer.signedAt && <> · {when(signer.signedAt)}</>}
                        {signer.declineReason && <> · “{signer.declineReason}”</>}
                      </span>
                    </li>
                  ))}
                </ul>
                {request === open && (
                  <div className="flex flex-wrap gap-2">
                    <ActionButton
                      action={resendRequestAction}
                      input={{ documentId: document.id, requestId: request.id }}
                      variant="outline"
                      size="sm"
                      success="Sent again"
                    >
                      Resend
                    </ActionButton>
                    <ActionButton
                      action={cancelRequestAction}
                      input={{ documentId: document.id, requestId: request.id }}
                      variant="ghost"
                      size="sm"
                      success="Request cancelled"
                      confirm={{
                        title: "Cancel this request?",
                        description: "The signing links stop working. Signatures already given are kept in the history.",
                        confirmLabel: "Cancel request",
                      }}
                    >
                      Cancel request
                    </ActionButton>
                  </div>
                )}
              </CardContent>
            </Card>
          ))}
          <Card>
            <CardHeader>
              <CardTitle>History</CardTitle>
              <CardDescription>Who did what, from where, and the document&apos;s sha256 at each step.</CardDescription>
            </CardHeader>
            <CardContent>
              <ol className="grid gap-3 text-sm">
                {document.history.map((event) => (
                  <li key={event.id} className="grid gap-0.5">
                    <span>
                      <span className="font-medium">{event.kind}</span> · {event.actor}
                    </span>
                    <span className="text-xs text-muted-foreground">
                      {when(event.createdAt)}
                      {event.ip && ` · ${event.ip}`}
                    </span>
                    <span className="font-mono text-[11px] text-muted-foreground break-all">{event.sha256}</span>
                  </li>
                ))}
              </ol>
            </CardContent>
          </Card>
          <div className="flex flex-wrap gap-2">
            {document.status === "archived" ? (
              <ActionButton action={unarchiveDocumentAction} input={{ id: document.id }} variant="outline" success="Unarchived">
                Unarchive
              </ActionButton>
            ) : (
              !open && (
                <ActionButton action={archiveDocumentAction} input={{ id: document.id }} variant="outline" success="Archived">
                  Archive
                </ActionButton>
              )
            )}
            {hasRole(caller.role, "admin") && (
              <ActionButton
                action={deleteDocumentAction}
                input={{ id: document.id }}
                variant="destructive"
                redirectTo="/documents"
                confirm={{
                  title: "Delete this document?",
                  description: "Its files, signature requests and history are deleted for good.",
                  confirmLabel: "Delete",
                }}
              >
                Delete
              </ActionButton>
            )}
            <Button asChild variant="ghost">
              <Link href="/documents">All documents</Link>
            </Button>
          </div>
        </div>
      </div>
    </>
  );
}
