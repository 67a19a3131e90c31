"use client";

import { useState } from "react";
import type { CompanyPolicy } from "@/lib/workflow/policy";
import type { PolicyGroup } from "@/lib/workflow/policy-settings";
import { setCompanyPolicyAction, setWorkflowPolicyAction } from "@/app/(app)/settings/policy/actions";
import { Button } from "@/components/ui/button";
import { useAction } from "@/components/use-action";

/** A category of node types with the name people know it by ("Slack", "Core"). */
export type NamedGroup = PolicyGroup & { name: string };

/**
 * Checkboxes for a set of allowed names: a provider as a whole ("slack") or single actions
 * ("slack.send_message"). `checked` answers for each name; a provider unchecked greys its actions.
 */
function Choices({
  groups,
  provider,
  action,
  onProvider,
  onAction,
}: {
  groups: NamedGroup[];
  provider: (category: string) => boolean;
  action: (type: string) => boolean;
  onProvider: (category: string, on: boolean) => void;
  onAction: (type: string, on: boolean) => void;
}) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {groups.map((group) => (
        <fieldset key={group.category} className="grid content-start gap-1.5 rounded-lg border px-3 py-2">
          <legend className="px-1 text-sm font-medium">
            <label className="inline-flex items-center gap-2">
              <input type="checkbox" checked={provider(group.category)} onChange={(e) => onProvider(group.category, e.target.checked)} />
              {group.name}
            </label>
          </legend>
          {group.actions.map((item) => (
            <label key={item.type} className="inline-flex items-center gap-2 pl-5 text-sm aria-disabled:opacity-50" aria-disabled={!provider(group.category)}>
              <input
                type="checkbox"
                disabled={!provider(group.category)}
                checked={provider(group.category) && action(item.type)}
                onChange={(e) => onAction(item.type, e.target.checked)}
              />
              {item.label}
              <code className="font-mono text-xs text-muted-foreground">{item.type}</code>
            </label>
          ))}
        </fieldset>
      ))}
    </div>
  );
}

const toggle = (list: string[], name: string, on: boolean) => (on ? [...new Set([...list, name])] : list.filter((n) => n !== name));

export function CompanyPolicyForm({ groups, policy }: { groups: NamedGroup[]; policy: CompanyPolicy }) {
  const [blockedProviders, setProviders] = useState(policy.blockedProviders);
  const [blockedActions, setActions] = useState(policy.blockedActions);
  const { run, pending } = useAction(setCompanyPolicyAction, { success: "Policy saved: runs started from now on follow it" });
  return (
    <form
      className="grid gap-4"
      aria-label="Company policy"
      onSubmit={(event) => {
        event.preventDefault();
        run({ blockedProviders, blockedActions });
      }}
    >
      <Choices
        groups={groups}
        provider={(category) => !blockedProviders.includes(category)}
        action={(type) => !blockedActions.includes(type)}
        onProvider={(category, on) => setProviders((list) => toggle(list, category, !on))}
        onAction={(type, on) => setActions((list) => toggle(list, type, !on))}
      />
      <Button type="submit" pending={pending} className="justify-self-start">
        Save policy
      </Button>
    </form>
  );
}

export function WorkflowPolicyForm({ groups, workflow }: { groups: NamedGroup[]; workflow: { id: string; name: string; allow: string[] | null } }) {
  const [narrowed, setNarrowed] = useState(workflow.allow !== null);
  const [allow, setAllow] = useState(workflow.allow ?? []);
  const { run, pending } = useAction(setWorkflowPolicyAction, { success: `Allowlist of "${workflow.name}" saved` });
  // A whole provider on the list allows every action of it; single actions may be listed instead.
  const providerOn = (category: string) => allow.includes(category) || groups.find((g) => g.category === category)!.actions.some((a) => allow.includes(a.type));
  return (
    <details className="rounded-lg border px-3 py-2" open={narrowed}>
      <summary className="cursor-pointer text-sm font-medium">
        {workflow.name}{" "}
        <span className="font-normal text-muted-foreground">
          — {workflow.allow === null ? "the company's policy" : `only ${workflow.allow.join(", ") || "nothing"}`}
        </span>
      </summary>
      <form
        className="grid gap-3 pt-3"
        aria-label={`Allowlist of ${workflow.name}`}
        onSubmit={(event) => {
          event.preventDefault();
          run({ workflowId: workflow.id, policy: narrowed ? { allow } : null });
        }}
      >
        <label className="inline-flex items-center gap-2 text-sm">
          <input type="checkbox" checked={narrowed} onChange={(e) => setNarrowed(e.target.checked)} />
          Narrow this workflow to an allowlist
        </label>
        {narrowed && (
          <Choices
            groups={groups}
            provider={providerOn}
            action={(type) => allow.includes(type) || allow.includes(type.split(".")[0]!)}
            onProvider={(category, on) => {
              const actions = groups.find((g) => g.category === category)!.actions.map((a) => a.type);
              setAllow((list) => (on ? toggle(list, category, true) : list.filter((n) => n !== category && !actions.includes(n))));
            }}
            onAction={(type, on) => {
              const category = groups.find((g) => g.actions.some((a) => a.type === type))!;
              setAllow((list) => {
                // Unticking one action of a provider allowed as a whole lists the others one by one.
                const expanded = list.includes(category.category)
                  ? [...list.filter((n) => n !== category.category), ...category.actions.map((a) => a.type)]
                  : list;
                return toggle(expanded, type, on);
              });
            }}
          />
        )}
        <Button type="submit" pending={pending} className="justify-self-start" size="sm">
          Save
        </Button>
      </form>
    </details>
  );
}
