"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ConnectionSummary } from "@/lib/credentials/store";
import type { ValueOrigin, WorkflowAppScope } from "@/lib/integrations/scopes";
import { setWorkflowScopeAction, setWorkflowScopePausedAction } from "@/app/(app)/workflows/[id]/connections-actions";
import { ActionButton } from "@/components/action-button";
import { AppIcon } from "@/components/integrations/app-icon";
import { ChannelSelect } from "@/components/integrations/channel-select";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { useFormAction } from "@/components/use-action";

// The workflow page's Connections: per app its steps use, which connection and default channel a
// step that names none gets, and where each comes from ("Inherited from the company" / "Set on
// this workflow"). Admins set the workflow's own, or pause the app for this workflow alone.

const originText: Record<ValueOrigin, string> = {
  workflow: "Set on this workflow",
  company: "Inherited from the company",
  none: "Not set",
};

const connectionLabel = (c: ConnectionSummary | null) => (c ? `${c.displayName}${c.accountId ? ` (${c.accountId})` : ""}` : "none connected");

function Origin({ origin, id }: { origin: ValueOrigin; id: string }) {
  return (
    <p id={id} className="text-xs text-muted-foreground">
      {originText[origin]}
    </p>
  );
}

function AppScope({ workflowId, scope, canEdit }: { workflowId: string; scope: WorkflowAppScope; canEdit: boolean }) {
  const router = useRouter();
  const ids = { connection: `${scope.appId}-connection`, channel: `${scope.appId}-channel` };
  const [connectionId, setConnectionId] = useState(scope.connection.origin === "workflow" ? (scope.connection.value?.id ?? "") : "");
  const { formProps, pending, fieldErrors } = useFormAction(setWorkflowScopeAction, {
    success: `${scope.name} settings of this workflow saved`,
    onSuccess: () => router.refresh(),
  });
  const channel = scope.defaultChannel;
  // The channels listed are those of the connection the steps would use with this choice.
  const listFrom = connectionId || scope.connection.inherited?.id || null;
  return (
    <li className="grid gap-3 rounded-lg border px-4 py-3" aria-label={`${scope.name} on this workflow`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex items-center gap-2">
          <AppIcon icon={scope.icon} className="size-6" />
          <span className="font-medium">{scope.name}</span>
          {scope.paused.workflow && <Badge variant="secondary">Paused on this workflow</Badge>}
          {scope.paused.company && <Badge variant="secondary">Paused for the company</Badge>}
        </div>
        {canEdit && (
          <ActionButton
            action={setWorkflowScopePausedAction}
            input={{ workflowId, appId: scope.appId, paused: !scope.paused.workflow }}
            variant="outline"
            size="sm"
            success={scope.paused.workflow ? `${scope.name} resumed on this workflow` : `${scope.name} paused on this workflow: its steps fail until resumed`}
          >
            {scope.paused.workflow ? "Resume on this workflow" : "Pause on this workflow"}
          </ActionButton>
        )}
      </div>
      {scope.paused.company && (
        <Alert tone="warning">
          {scope.connection.value?.displayName} is paused for the company: every workflow that uses it stops until an admin resumes it in Settings &gt;
          Integrations.
        </Alert>
      )}
      {canEdit ? (
        <form {...formProps} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-start">
          <input type="hidden" name="workflowId" value={workflowId} />
          <input type="hidden" name="appId" value={scope.appId} />
          <div className="grid gap-1.5">
            <Label htmlFor={ids.connection}>Connection</Label>
            <Select
              id={ids.connection}
              name="connectionId"
              value={connectionId}
              onChange={(event) => setConnectionId(event.target.value)}
              aria-describedby={`${ids.connection}-origin`}
              aria-invalid={fieldErrors.connectionId ? true : undefined}
            >
              <option value="">The company&apos;s: {connectionLabel(scope.connection.inherited)}</option>
              {scope.choices.map((choice) => (
                <option key={choice.id} value={choice.id}>
                  {connectionLabel(choice)}
                  {choice.status === "connected" ? "" : ` (${choice.status.replace("_", " ")})`}
                </option>
              ))}
            </Select>
            <Origin origin={scope.connection.origin} id={`${ids.connection}-origin`} />
            {fieldErrors.connectionId && <p className="text-xs font-medium text-destructive">{fieldErrors.connectionId}</p>}
          </div>
          {channel && (
            <div className="grid gap-1.5">
              <Label htmlFor={ids.channel}>Default channel</Label>
              <ChannelSelect
                id={ids.channel}
                name="defaultChannel"
                loader={channel.loader}
                connectionId={listFrom}
                defaultValue={channel.origin === "workflow" ? (channel.value ?? "") : ""}
                empty={{ label: channel.inherited ? "The company's" : "The company's: none", value: channel.inherited }}
                aria-describedby={`${ids.channel}-origin`}
              />
              <Origin origin={channel.origin} id={`${ids.channel}-origin`} />
            </div>
          )}
          {!channel && <input type="hidden" name="defaultChannel" value="" />}
          <Button type="submit" variant="outline" pending={pending} className="sm:mt-6">
            Save
          </Button>
        </form>
      ) : (
        <dl className="grid gap-2 text-sm sm:grid-cols-2">
          <div>
            <dt className="text-muted-foreground">Connection</dt>
            <dd>{connectionLabel(scope.connection.value)}</dd>
            <dd>
              <Origin origin={scope.connection.origin} id={`${ids.connection}-origin`} />
            </dd>
          </div>
          {channel && (
            <div>
              <dt className="text-muted-foreground">Default channel</dt>
              <dd className="font-mono">{channel.value ?? "none"}</dd>
              <dd>
                <Origin origin={channel.origin} id={`${ids.channel}-origin`} />
              </dd>
            </div>
          )}
        </dl>
      )}
    </li>
  );
}

export function ConnectionsSection({ workflowId, scopes, canEdit }: { workflowId: string; scopes: WorkflowAppScope[]; canEdit: boolean }) {
  if (scopes.length === 0)
    return <p className="text-sm text-muted-foreground">No step of this workflow uses a connection yet. Add an integration step to choose one here.</p>;
  return (
    <ul className="grid gap-3" aria-label="Connections of this workflow">
      {scopes.map((scope) => (
        <AppScope key={scope.appId} workflowId={workflowId} scope={scope} canEdit={canEdit} />
      ))}
    </ul>
  );
}
