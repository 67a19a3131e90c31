"use client";

import { memo, useMemo, useState } from "react";
import type { NodeTypeDescription, ProviderDescription } from "@/lib/catalog/description";
import type { ConnectionSummary } from "@/lib/credentials/store";
import type { WorkflowNode, WorkflowTrigger } from "@/lib/workflow/definition";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import type { ProblemItem } from "@/components/workflows/problems";
import { checkConfig, type FieldMessage } from "./config-check";
import { ConnectInline } from "./connect-inline";
import { ConfigField, type ExpressionPreviewer, type LoadOptions } from "./fields";
import type { CatalogIndex } from "./graph";
import { NodeIcon } from "./node-icon";
import { TestStepPanel, type TestStep } from "./test-step-panel";
import { resolvePreview, type Variable } from "./variables";
import type { InterpolationScope } from "@/lib/workflow/interpolation";

const MemoField = memo(ConfigField);

type Target = { kind: "node"; node: WorkflowNode } | { kind: "trigger"; trigger: WorkflowTrigger };

type ConfigModalProps = {
  index: CatalogIndex;
  target: Target;
  /** The saved draft's problems of this node, from the server (for what the schema cannot tell: references, graph rules). */
  problems: readonly ProblemItem[];
  variables: Variable[];
  /** What {{…}} would read at this node, for the live preview; `source` says where the data came from. */
  preview: { scope: InterpolationScope; source: string };
  connections: readonly ConnectionSummary[];
  loadOptions: (connectionId: string | undefined) => LoadOptions;
  /** The field to put the cursor in: the one a problem points at. */
  focusField?: string;
  readOnly: boolean;
  /** Runs the step as the form has it; absent where the person may not. */
  testStep?: TestStep;
  onApply: (target: Target) => void;
  onClose: () => void;
};

/**
 * The form of one step (or of the trigger), generated from its catalog description: fields in the
 * order of their hints, advanced ones under "More options", checked against the config's JSON
 * Schema on every change. It edits a copy; Apply makes it one undoable change.
 */
export function ConfigModal({
  index,
  target,
  problems,
  variables,
  preview,
  connections,
  loadOptions,
  focusField,
  readOnly,
  testStep,
  onApply,
  onClose,
}: ConfigModalProps) {
  const [draft, setDraft] = useState(target);
  const description = draft.kind === "node" ? index.nodeTypes.get(draft.node.type) : index.triggerTypes.get(draft.trigger.type);
  const config = draft.kind === "node" ? draft.node.config : draft.trigger.config;
  const fields = useMemo(() => description?.fields ?? [], [description]);
  const messages = useMemo(
    () => (description ? checkConfig(description.configSchema, fields, config) : new Map<string, FieldMessage>()),
    [description, fields, config],
  );
  // Stable per field, so a keystroke re-renders only the field it changes (memoized below).
  const onChangeOf = useMemo(() => {
    const setConfig = (key: string, value: unknown) =>
      setDraft((current) => {
        const next = { ...(current.kind === "node" ? current.node.config : current.trigger.config) };
        if (value === undefined) delete next[key];
        else next[key] = value;
        return current.kind === "node"
          ? { ...current, node: { ...current.node, config: next } }
          : { ...current, trigger: { ...current.trigger, config: next } };
      });
    return new Map(fields.map((field) => [field.key, (value: unknown) => setConfig(field.key, value)]));
  }, [fields]);
  const setNode = (change: Partial<WorkflowNode>) => draft.kind === "node" && setDraft({ ...draft, node: { ...draft.node, ...change } });
  const nodeType = draft.kind === "node" ? (description as NodeTypeDescription | undefined) : undefined;
  const provider = nodeType?.provider ? index.catalog.providers.find((candidate) => candidate.id === nodeType.provider) : undefined;
  const connectionId = draft.kind === "node" ? draft.node.connectionId : undefined;
  const load = useMemo(() => loadOptions(connectionId), [loadOptions, connectionId]);
  const nodeId = draft.kind === "node" ? draft.node.id : undefined;
  const previewer = useMemo<ExpressionPreviewer | undefined>(
    () => (nodeId ? { resolve: (value) => resolvePreview(value, preview.scope, nodeId), source: preview.source } : undefined),
    [nodeId, preview],
  );
  // A field's own problems are checked live next to it; the saved draft's list would be stale there.
  const otherProblems = problems.filter((problem) => !(problem.path[2] === "config" && fields.some((field) => field.key === problem.path[3])));
  const nameError = draft.kind === "node" && draft.node.name.trim() === "" ? "Give the step a name" : undefined;

  const renderField = (hint: (typeof fields)[number]) => (
    <MemoField
      key={hint.key}
      hint={hint}
      value={config[hint.key]}
      onChange={onChangeOf.get(hint.key)!}
      message={messages.get(hint.key)}
      variables={variables}
      loadOptions={load}
      previewer={previewer}
      autoFocus={focusField === hint.key}
    />
  );
  const basic = fields.filter((field) => !field.advanced);
  const advanced = fields.filter((field) => field.advanced);

  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="max-h-[calc(100dvh-2rem)] max-w-xl overflow-y-auto">
        <DialogHeader>
          <DialogTitle className="flex items-center gap-2">
            {description && <NodeIcon icon={description.icon} />}
            {draft.kind === "node" ? draft.node.name || "Unnamed step" : `Trigger: ${description?.name ?? draft.trigger.type}`}
          </DialogTitle>
          <DialogDescription>
            {description
              ? `${description.name}. ${description.description}`
              : `This server has no step type “${draft.kind === "node" ? draft.node.type : draft.trigger.type}”.`}
          </DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          noValidate
          onSubmit={(event) => {
            // The token form of "Connect" is portalled out of this form, but React still bubbles its submit here.
            if (event.target !== event.currentTarget) return;
            event.preventDefault();
            if (readOnly || nameError) return;
            onApply(draft);
          }}
        >
          <fieldset disabled={readOnly} className="grid gap-4">
            {draft.kind === "node" ? (
              <FormField
                label="Name"
                name="name"
                value={draft.node.name}
                maxLength={120}
                onChange={(event) => setNode({ name: event.target.value })}
                error={nameError}
                autoFocus={!focusField}
              />
            ) : (
              <div className="grid gap-1.5">
                <Label htmlFor="trigger-type">Starts when</Label>
                <Select
                  id="trigger-type"
                  value={draft.trigger.type}
                  className="w-full"
                  onChange={(event) => setDraft({ kind: "trigger", trigger: { type: event.target.value as WorkflowTrigger["type"], config: {} } })}
                >
                  {index.catalog.triggerTypes.map((trigger) => (
                    <option key={trigger.type} value={trigger.type}>
                      {trigger.name}
                    </option>
                  ))}
                </Select>
              </div>
            )}
            {/* Built-in apps (the Doc Manager) have no account to pick. */}
            {provider && !provider.auth.builtin && (
              <ConnectionSelect provider={provider} connections={connections} value={connectionId} onChange={(id) => setNode({ connectionId: id })} />
            )}
            {basic.map(renderField)}
            {(advanced.length > 0 || draft.kind === "node") && (
              <details className="group rounded-md border px-3 py-2" open={advanced.some((field) => field.key === focusField) || undefined}>
                <summary className="cursor-pointer text-sm font-medium">More options</summary>
                <div className="mt-3 grid gap-4">
                  {advanced.map(renderField)}
                  {draft.kind === "node" && (
                    <label className="flex items-start gap-2 text-sm">
                      <input
                        type="checkbox"
                        className="mt-0.5 size-4 accent-primary"
                        checked={draft.node.continueOnError === true}
                        onChange={(event) => setNode({ continueOnError: event.target.checked || undefined })}
                      />
                      <span>
                        Continue on error
                        <span className="block text-xs text-muted-foreground">
                          A failure takes this step&apos;s “On error” output instead of failing the run.
                        </span>
                      </span>
                    </label>
                  )}
                </div>
              </details>
            )}
          </fieldset>
          {draft.kind === "node" && nodeType && testStep && <TestStepPanel node={draft.node} effectful={nodeType.effectful} testStep={testStep} />}
          {otherProblems.length > 0 && (
            <ul className="grid gap-1 rounded-md border border-warning-foreground/30 bg-warning px-3 py-2 text-xs text-warning-foreground">
              {otherProblems.map((problem, position) => (
                <li key={position}>{problem.message}</li>
              ))}
            </ul>
          )}
          <DialogFooter>
            <Button variant="outline" onClick={onClose}>
              {readOnly ? "Close" : "Cancel"}
            </Button>
            {!readOnly && <Button type="submit">Apply</Button>}
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function ConnectionSelect({
  provider,
  connections,
  value,
  onChange,
}: {
  provider: ProviderDescription;
  connections: readonly ConnectionSummary[];
  value?: string;
  onChange: (id: string | undefined) => void;
}) {
  const mine = connections.filter((connection) => connection.appId === provider.id);
  const teamDefault = mine.find((connection) => connection.isTeamDefaultProfile) ?? mine.find((connection) => connection.owner === "company");
  return (
    <div className="grid gap-1.5">
      <Label htmlFor="step-connection">{provider.name} account</Label>
      {mine.length === 0 ? (
        <div className="grid gap-2">
          <p className="text-sm text-muted-foreground">No {provider.name} account is connected. Connect one here: this form stays as it is.</p>
          <ConnectInline provider={provider} />
        </div>
      ) : (
        <Select id="step-connection" className="w-full" value={value ?? ""} onChange={(event) => onChange(event.target.value || undefined)}>
          <option value="">Company default{teamDefault ? ` (${teamDefault.displayName})` : ""}</option>
          {mine.map((connection) => (
            <option key={connection.id} value={connection.id}>
              {connection.displayName} ({connection.owner === "company" ? "company" : "yours"})
              {connection.status !== "connected" ? `, ${connection.status.replace("_", " ")}` : ""}
            </option>
          ))}
        </Select>
      )}
    </div>
  );
}
