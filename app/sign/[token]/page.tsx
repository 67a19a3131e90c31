import type { Metadata } from "next";
import { Brand } from "@/components/brand";
import { SigningForm } from "@/components/documents/signing-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { getDb } from "@/lib/db";
import { clientOf, requestHeaders } from "@/lib/documents/http";
import { openSigningLink } from "@/lib/documents/signing";
import { toAppError } from "@/lib/http/route";

// The link carries a secret: keep it out of search engines and out of Referer headers.
export const metadata: Metadata = { title: "Sign a document", robots: { index: false, follow: false }, referrer: "no-referrer" };

type PageProps = { params: Promise<{ token: string }> };

export default async function SignPage({ params }: PageProps) {
  const token = decodeURIComponent((await params).token);
  const db = await getDb();
  const opened = await openSigningLink(db, token, clientOf(await requestHeaders())).then(
    (view) => ({ view }),
    (error: unknown) => ({ error: toAppError(error) }),
  );

  return (
    <div className="min-h-dvh bg-muted/40 px-3 py-6 sm:px-6">
      <header className="mx-auto mb-5 flex max-w-5xl items-center justify-between">
        <Brand className="text-lg" />
        <span className="text-xs text-muted-foreground">Secure signing</span>
      </header>
      <main className="mx-auto max-w-5xl">
        {"error" in opened ? (
          <Card className="mx-auto max-w-lg">
            <CardHeader>
              <CardTitle as="h1">{opened.error.message}</CardTitle>
              {opened.error.remediation && <CardDescription>{opened.error.remediation}</CardDescription>}
            </CardHeader>
          </Card>
        ) : (
          <div className="grid gap-5 lg:grid-cols-[1fr_22rem]">
            <Card className="overflow-hidden">
              <CardHeader>
                <CardTitle as="h1" className="break-words">
                  {opened.view.documentName}
                </CardTitle>
                <CardDescription>
                  For {opened.view.signerName} ({opened.view.signerEmail}). Read it before you sign.
                </CardDescription>
              </CardHeader>
              <CardContent>
                {opened.view.mimeType === "application/pdf" ? (
                  <iframe title="The document" src={`/sign/${encodeURIComponent(token)}/document`} className="h-[70dvh] w-full rounded-md border bg-white" />
                ) : (
                  // eslint-disable-next-line @next/next/no-img-element
                  <img alt="The document" src={`/sign/${encodeURIComponent(token)}/document`} className="mx-auto max-h-[70dvh] rounded-md border" />
                )}
                <p className="mt-2 text-xs text-muted-foreground">
                  <a className="underline underline-offset-2" href={`/sign/${encodeURIComponent(token)}/document`} target="_blank" rel="noreferrer">
                    Open the document in a new tab
                  </a>
                </p>
              </CardContent>
            </Card>
            <Card className="h-fit">
              <CardHeader>
                <CardTitle>Your signature</CardTitle>
                {opened.view.message && <p className="rounded-lg border bg-muted/40 px-3 py-2.5 text-sm whitespace-pre-wrap">{opened.view.message}</p>}
                <CardDescription>
                  The link works until {new Date(opened.view.expiresAt).toUTCString()}, once.
                  {opened.view.signers.length > 1 && ` Signers: ${opened.view.signers.map((s) => `${s.name} (${s.status})`).join(", ")}.`}
                </CardDescription>
              </CardHeader>
              <CardContent>
                <SigningForm token={token} signerName={opened.view.signerName} />
              </CardContent>
            </Card>
          </div>
        )}
      </main>
    </div>
  );
}
