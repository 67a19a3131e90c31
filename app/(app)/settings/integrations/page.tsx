import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { hasRole } from "@/lib/auth/roles";
import { pageCaller } from "@/lib/auth/session";
import { catalog } from "@/lib/catalog";
import { getDb } from "@/lib/db";
import { listIntegrationCards, testMessage, type CardConnection, type IntegrationCard } from "@/lib/integrations/connections";
import {
  disconnectAction,
  makePreferredAction,
  pauseConnectionAction,
  resumeConnectionAction,
  testConnectionAction,
} from "@/app/(app)/settings/integrations/actions";
import { ActionButton } from "@/components/action-button";
import { formatDateTime, relativeTime } from "@/components/format";
import { AccountDialog } from "@/components/integrations/account-dialog";
import { DefaultChannelDialog } from "@/components/integrations/default-channel-dialog";
import { AppIcon } from "@/components/integrations/app-icon";
import { OAuthToast } from "@/components/integrations/oauth-toast";
import { StatusBadge } from "@/components/integrations/status-badge";
import { TokenDialog } from "@/components/integrations/token-dialog";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { withArticle } from "@/lib/utils/text";

export const metadata: Metadata = { title: "Integrations" };
export const dynamic = "force-dynamic";

// Plain links, not <Link>: starting OAuth is a navigation the browser must make, never a prefetch.
function ConnectLink({
  app,
  owner,
  children,
  variant = "default",
}: {
  app: string;
  owner: "company" | "user";
  children: string;
  variant?: "default" | "outline";
}) {
  return (
    <Button asChild variant={variant}>
      <a href={`/api/integrations/${app}/connect?owner=${owner}`}>{children}</a>
    </Button>
  );
}

/** Who owns it, which account, who connected it and when: what tells two "Fake Workspace"s apart. */
function provenance(connection: CardConnection): string {
  return [
    connection.owner === "user" ? "yours" : "the company's",
    connection.accountId ? `account ${connection.accountId}` : null,
    `connected ${connection.connectedBy ? `by ${connection.connectedBy} ` : ""}on ${formatDateTime(new Date(connection.createdAt))}`,
  ]
    .filter(Boolean)
    .join(", ");
}

function ConnectionRow({
  connection,
  app,
  canManageCompany,
  choose,
}: {
  connection: CardConnection;
  app: IntegrationCard;
  canManageCompany: boolean;
  choose: string | null;
}) {
  const mine = connection.owner === "user";
  const canManage = mine || canManageCompany;
  const input = { id: connection.id };
  const name = connection.displayName;
  // Names repeat (two workspaces called the same); labels and dialogs carry the account id too.
  const label = connection.accountId ? `${name} (${connection.accountId})` : name;
  const preferred = mine ? connection.isUserCurrentProfile : connection.isTeamDefaultProfile;
  return (
    <li className="flex flex-wrap items-center justify-between gap-x-6 gap-y-3 rounded-lg border px-4 py-3">
      <div className="grid min-w-0 gap-1">
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-medium">{name}</span>
          <StatusBadge status={connection.status} />
          {preferred && <Badge>{mine ? "My profile" : "Company default"}</Badge>}
        </div>
        <p className="text-xs text-muted-foreground">
          {mine ? "Yours" : "Company"}
          {connection.accountId && (
            <>
              {" · "}
              <span className="font-mono">{connection.accountId}</span>
            </>
          )}
          {" · connected "}
          {connection.connectedBy && `by ${connection.connectedBy} `}
          <time dateTime={connection.createdAt} title={formatDateTime(new Date(connection.createdAt))}>
            {relativeTime(new Date(connection.createdAt))}
          </time>
          {" · "}
          {connection.type === "oauth" ? "OAuth" : "Pasted token"}
          {connection.scopes.length > 0 && ` · ${connection.scopes.length} scopes`}
          {connection.tokenExpiresAt && ` · token renews ${relativeTime(new Date(connection.tokenExpiresAt))}`}
          {connection.lastValidatedAt && (
            <>
              {" · checked "}
              <time dateTime={connection.lastValidatedAt} title={formatDateTime(new Date(connection.lastValidatedAt))}>
                {relativeTime(new Date(connection.lastValidatedAt))}
              </time>
            </>
          )}
        </p>
        {app.defaultChannelLoader && !mine && (
          <p className="text-xs text-muted-foreground">
            Default channel: <span className="font-mono">{connection.defaultChannel ?? "none"}</span>
            {preferred && " · inherited by every workflow that sets none"}
          </p>
        )}
      </div>
      {canManage ? (
        <div className="flex flex-wrap gap-2">
          <ActionButton
            action={testConnectionAction}
            input={input}
            variant="outline"
            size="sm"
            aria-label={`Test ${label}`}
            success={testMessage(connection.status === "paused")}
          >
            Test
          </ActionButton>
          {!preferred && (
            <ActionButton
              action={makePreferredAction}
              input={input}
              variant="outline"
              size="sm"
              aria-label={`Make ${label} the ${mine ? "profile you use" : "company default"}`}
              success={mine ? "Your runs now use this account" : "Company default changed"}
            >
              {mine ? "Use as my profile" : "Make default"}
            </ActionButton>
          )}
          {connection.status === "paused" ? (
            <ActionButton action={resumeConnectionAction} input={input} variant="outline" size="sm" aria-label={`Resume ${label}`} success="Connection resumed">
              Resume
            </ActionButton>
          ) : (
            <ActionButton
              action={pauseConnectionAction}
              input={input}
              variant="outline"
              size="sm"
              aria-label={`Pause ${label}`}
              success="Connection paused: steps using it fail with “connection paused”"
            >
              Pause
            </ActionButton>
          )}
          {app.defaultChannelLoader && !mine && (
            <DefaultChannelDialog
              connectionId={connection.id}
              connectionName={label}
              appName={app.name}
              loader={app.defaultChannelLoader}
              current={connection.defaultChannel}
            />
          )}
          {app.accountNoun && (
            <AccountDialog
              connectionId={connection.id}
              connectionName={label}
              appName={app.name}
              noun={app.accountNoun}
              openOnLoad={choose === connection.id}
            />
          )}
          {app.oauth?.configured && connection.type === "oauth" && (
            <Button asChild variant={connection.status === "needs_attention" ? "default" : "outline"} size="sm">
              <a href={`/api/integrations/${app.id}/connect?owner=${connection.owner}`} aria-label={`Reconnect ${label}`}>
                Reconnect
              </a>
            </Button>
          )}
          <ActionButton
            action={disconnectAction}
            input={input}
            variant="outline"
            size="sm"
            aria-label={`Disconnect ${label}`}
            success={`${app.name} disconnected`}
            confirm={{
              title: `Disconnect ${label}?`,
              description: `${app.name} ${name}: ${provenance(connection)}. Flowline revokes its token and forgets it. Steps that use this connection will pick another one, or fail with “Connect ${app.name}”.`,
              confirmLabel: "Disconnect",
            }}
          >
            Disconnect
          </ActionButton>
        </div>
      ) : (
        <span className="text-xs text-muted-foreground">Managed by admins</span>
      )}
    </li>
  );
}

function AppCard({ app, canManageCompany, choose }: { app: IntegrationCard; canManageCompany: boolean; choose: string | null }) {
  const oauthReady = app.oauth?.configured ?? false;
  return (
    <Card>
      <CardHeader className="flex flex-wrap items-start justify-between gap-4">
        <div className="flex items-start gap-3">
          <AppIcon icon={app.icon} />
          <div className="grid gap-1.5">
            <div className="flex flex-wrap items-center gap-2">
              <CardTitle>{app.name}</CardTitle>
              <StatusBadge status={app.status} />
            </div>
            <CardDescription>{app.description}</CardDescription>
          </div>
        </div>
        <div className="flex flex-wrap gap-2">
          {oauthReady && canManageCompany && (
            <ConnectLink app={app.id} owner="company">
              {`Connect ${app.name}`}
            </ConnectLink>
          )}
          {oauthReady && (
            <ConnectLink app={app.id} owner="user" variant={canManageCompany ? "outline" : "default"}>
              {canManageCompany ? "Connect for me only" : `Connect ${app.name} for me`}
            </ConnectLink>
          )}
          {app.token && (
            <TokenDialog
              appId={app.id}
              appName={app.name}
              label={app.token.label}
              placeholder={app.token.placeholder}
              help={app.token.help}
              canManageCompany={canManageCompany}
            />
          )}
        </div>
      </CardHeader>
      <CardContent className="grid gap-4">
        {app.oauth && !oauthReady && (
          <Alert>
            Connecting through {app.name} is not configured on this server: the operator sets its client id and secret ({app.oauth?.variables.join(" and ")}).
            {app.token && ` Meanwhile you can paste ${withArticle(app.token.label.toLowerCase())}.`}
          </Alert>
        )}
        {app.connections.some((c) => c.status === "needs_attention") && (
          <Alert tone="error">{app.name} rejected a connection. Steps that use it fail until someone reconnects it.</Alert>
        )}
        {app.connections.length === 0 ? (
          <p className="rounded-lg border border-dashed px-4 py-6 text-center text-sm text-muted-foreground">
            No {app.name} account connected yet.{!canManageCompany && " You can connect your own; admins connect the company's."}
          </p>
        ) : (
          <ul aria-label={`${app.name} connections`} className="grid gap-3">
            {app.connections.map((connection) => (
              <ConnectionRow key={connection.id} connection={connection} app={app} canManageCompany={canManageCompany} choose={choose} />
            ))}
          </ul>
        )}
        {app.overrides.length > 0 && (
          <div className="grid gap-2">
            <h3 className="text-sm font-medium">{`Workflows with their own ${app.name} settings`}</h3>
            <p className="text-xs text-muted-foreground">Every other workflow inherits the company&apos;s connection and default channel.</p>
            <ul aria-label={`Workflows with their own ${app.name} settings`} className="grid gap-1 text-sm">
              {app.overrides.map((override) => (
                <li key={override.workflowId} className="flex flex-wrap items-baseline gap-x-2">
                  <Link href={`/workflows/${override.workflowId}`} className="font-medium underline underline-offset-4">
                    {override.workflowName}
                  </Link>
                  <span className="text-muted-foreground">
                    {[
                      override.connectionName ? `connection ${override.connectionName}: Set on this workflow` : "connection: Inherited from the company",
                      app.defaultChannelLoader &&
                        (override.defaultChannel ? `channel ${override.defaultChannel}: Set on this workflow` : "channel: Inherited from the company"),
                      override.paused ? "paused on this workflow" : null,
                    ]
                      .filter(Boolean)
                      .join(" · ")}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

export default async function IntegrationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const caller = await pageCaller();
  // ?choose=<connection>: the OAuth callback found several accounts; that row opens its choice.
  const chooseParam = (await searchParams).choose;
  const choose = typeof chooseParam === "string" ? chooseParam : null;
  const apps = await listIntegrationCards(await getDb(), caller, catalog);
  const canManageCompany = hasRole(caller.role, "admin");
  return (
    <div className="grid gap-6">
      <Suspense>
        <OAuthToast names={Object.fromEntries(apps.map((app) => [app.id, app.name]))} />
      </Suspense>
      <p className="text-sm text-muted-foreground">
        Workflow steps use a connection chosen when they run: the one picked on the step, else the workflow&apos;s own (set on its page), else your own profile,
        else the company default, which every other workflow inherits.
        {!canManageCompany && " Only admins and owners manage the company's connections."}
      </p>
      {apps.map((app) => (
        <AppCard key={app.id} app={app} canManageCompany={canManageCompany} choose={choose} />
      ))}
    </div>
  );
}
