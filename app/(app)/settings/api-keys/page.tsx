import type { Metadata } from "next";
import { listApiKeys } from "@/lib/auth/api-keys";
import { hasRole } from "@/lib/auth/roles";
import { pageCaller } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { revokeApiKeyAction } from "@/app/(app)/settings/actions";
import { ActionButton } from "@/components/action-button";
import { formatDate, formatDateTime, relativeTime } from "@/components/format";
import { CreateApiKeyDialog } from "@/components/settings/create-api-key-dialog";
import { Alert } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  const caller = await pageCaller();
  const keys = await listApiKeys(await getDb(), caller);
  const canManage = hasRole(caller.role, "admin");

  return (
    <Card>
      <CardHeader className="flex flex-wrap items-start justify-between gap-4">
        <div className="grid gap-1.5">
          <CardTitle>API keys</CardTitle>
          <CardDescription>
            Scripts and other services use these keys to call the Flowline API at{" "}
            <code className="rounded bg-muted px-1 py-0.5 font-mono text-xs text-foreground">/api/v1</code> as this company.
          </CardDescription>
        </div>
        {canManage && <CreateApiKeyDialog />}
      </CardHeader>
      <CardContent className="grid gap-4">
        {!canManage && <Alert>Only admins and owners can create or revoke API keys.</Alert>}
        {keys.length === 0 ? (
          <p className="rounded-lg border border-dashed px-4 py-8 text-center text-sm text-muted-foreground">
            No API keys yet.{canManage && " Create one to import workflows or connect another service."}
          </p>
        ) : (
          <Table>
            <TableCaption>API keys of this company</TableCaption>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Key</TableHead>
                <TableHead>Last used</TableHead>
                <TableHead className="hidden sm:table-cell">Created</TableHead>
                {canManage && (
                  <TableHead>
                    <span className="sr-only">Actions</span>
                  </TableHead>
                )}
              </TableRow>
            </TableHeader>
            <TableBody>
              {keys.map((key) => (
                <TableRow key={key.id}>
                  <TableCell className="font-medium">{key.name}</TableCell>
                  <TableCell>
                    <code className="font-mono text-xs whitespace-nowrap">{key.prefix}…</code>
                  </TableCell>
                  <TableCell className="whitespace-nowrap text-muted-foreground">
                    {key.lastUsedAt ? (
                      <time dateTime={key.lastUsedAt.toISOString()} title={formatDateTime(key.lastUsedAt)}>
                        {relativeTime(key.lastUsedAt)}
                      </time>
                    ) : (
                      "Never"
                    )}
                  </TableCell>
                  <TableCell className="hidden whitespace-nowrap text-muted-foreground sm:table-cell">
                    <time dateTime={key.createdAt.toISOString()}>{formatDate(key.createdAt)}</time>
                  </TableCell>
                  {canManage && (
                    <TableCell className="text-right">
                      <ActionButton
                        action={revokeApiKeyAction}
                        input={{ id: key.id }}
                        variant="outline"
                        size="sm"
                        aria-label={`Revoke ${key.name}`}
                        success="API key revoked"
                        confirm={{
                          title: `Revoke “${key.name}”?`,
                          description: "Anything using this key stops working immediately. This cannot be undone.",
                          confirmLabel: "Revoke key",
                        }}
                      >
                        Revoke
                      </ActionButton>
                    </TableCell>
                  )}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}
