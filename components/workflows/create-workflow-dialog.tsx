"use client";

import { FileUp, Plus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { isPlainObject } from "@/lib/workflow/json";
import type { WorkflowDetail } from "@/lib/workflow/store";
import type { WorkflowTemplate } from "@/components/workflows/templates";
import { createWorkflowAction } from "@/app/(app)/workflows/actions";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { useFormAction } from "@/components/use-action";
import { definitionProblems, invalidJson, useLastFailure } from "@/components/workflows/action-failure";
import { JsonField } from "@/components/workflows/json-field";
import { parseJsonText } from "@/components/workflows/json-text";

type Mode = "blank" | "import";

const copy = {
  blank: {
    trigger: "New workflow",
    title: "New workflow",
    description: "Name it now; you add its steps on the workflow's page.",
    submit: "Create workflow",
    success: "Workflow created",
  },
  import: {
    trigger: "Import JSON",
    title: "Import a workflow",
    description: "Paste a file exported from Flowline ({ name, description, definition }) or a bare definition.",
    submit: "Import workflow",
    success: "Workflow imported",
  },
} as const;

type CreateWorkflowDialogProps = {
  mode: Mode;
  variant?: "default" | "outline";
  /** What "New workflow" offers besides a blank canvas (the page lists those the catalog can run). */
  templates?: WorkflowTemplate[];
};

/** Creates a workflow, blank, from a template or from pasted JSON, and opens it. */
export function CreateWorkflowDialog({ mode, variant, templates = [] }: CreateWorkflowDialogProps) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant={variant}>
          {mode === "blank" ? <Plus aria-hidden /> : <FileUp aria-hidden />}
          {copy[mode].trigger}
        </Button>
      </DialogTrigger>
      <DialogContent className={mode === "import" || templates.length > 0 ? "max-h-[calc(100dvh-2rem)] max-w-2xl overflow-y-auto" : undefined}>
        <DialogHeader>
          <DialogTitle>{copy[mode].title}</DialogTitle>
          <DialogDescription>{copy[mode].description}</DialogDescription>
        </DialogHeader>
        {/* Inside the content, which unmounts on close: reopening starts with empty fields and no errors. */}
        <CreateWorkflowForm mode={mode} templates={templates} />
      </DialogContent>
    </Dialog>
  );
}

function CreateWorkflowForm({ mode, templates }: { mode: Mode; templates: WorkflowTemplate[] }) {
  const router = useRouter();
  const [json, setJson] = useState("");
  const [templateId, setTemplateId] = useState("");
  const [name, setName] = useState("");
  const template = templates.find((candidate) => candidate.id === templateId);
  const [create, failure] = useLastFailure(async (values: Record<string, string>): Promise<ActionResult<WorkflowDetail>> => {
    if (mode === "blank") {
      return createWorkflowAction({ name: values.name ?? "", description: values.description || template?.description, definition: template?.definition });
    }
    const parsed = parseJsonText(values.definition ?? "");
    if (!parsed.ok) return invalidJson(parsed.message);
    const file = readImport(parsed.value);
    // An empty name reaches the server, which answers with the same message as the blank form.
    return createWorkflowAction({ name: values.name || file.name || "", description: file.description, definition: file.definition });
  });
  const { formProps, pending, fieldErrors } = useFormAction(create, {
    success: copy[mode].success,
    onSuccess: (workflow) => router.push(`/workflows/${workflow.id}`),
  });
  const problems = definitionProblems(failure);

  return (
    <form {...formProps} className="grid gap-4">
      {mode === "blank" && templates.length > 0 && (
        <fieldset className="grid gap-2">
          <legend className="mb-2 text-sm font-medium">Start from</legend>
          {[{ id: "", name: "A blank canvas", description: "Just the trigger; add the steps yourself." }, ...templates].map((choice) => (
            <label
              key={choice.id}
              className="flex cursor-pointer items-start gap-3 rounded-lg border px-3 py-2.5 text-sm has-checked:border-primary has-checked:bg-primary/5"
            >
              <input
                type="radio"
                name="template"
                value={choice.id}
                checked={templateId === choice.id}
                onChange={() => {
                  setTemplateId(choice.id);
                  // The template's name, unless one was typed.
                  if (!name || templates.some((candidate) => candidate.name === name)) setName(choice.id ? choice.name : "");
                }}
                className="mt-0.5 size-4 accent-primary"
              />
              <span className="grid gap-0.5">
                <span className="font-medium">{choice.name}</span>
                <span className="text-muted-foreground">{choice.description}</span>
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {mode === "import" && (
        <JsonField
          label="Workflow JSON"
          name="definition"
          value={json}
          onChange={setJson}
          autoFocus
          // The description comes from the file too, so a refused one is reported here.
          error={problems.length > 0 ? failure?.message : (fieldErrors.definition ?? fieldErrors.description)}
          problems={problems}
        />
      )}
      <FormField
        label="Workflow name"
        name="name"
        value={name}
        onChange={(event) => setName(event.target.value)}
        required={mode === "blank"}
        autoFocus={mode === "blank"}
        maxLength={120}
        hint={mode === "import" ? "Leave empty to use the name in the file." : undefined}
        error={fieldErrors.name}
      />
      {mode === "blank" && (
        <FormField
          label="Description"
          name="description"
          hint={template ? "Optional; the template's own description otherwise." : "Optional: what it does and for whom."}
          error={fieldErrors.description}
        />
      )}
      <DialogFooter>
        <DialogClose asChild>
          <Button variant="outline">Cancel</Button>
        </DialogClose>
        <Button type="submit" pending={pending}>
          {copy[mode].submit}
        </Button>
      </DialogFooter>
    </form>
  );
}

const textOf = (value: unknown) => (typeof value === "string" ? value : undefined);

/** An exported file carries its name and description next to the definition; anything else is taken as a bare definition. */
function readImport(value: unknown): { name?: string; description?: string; definition: unknown } {
  if (isPlainObject(value) && "definition" in value) return { name: textOf(value.name), description: textOf(value.description), definition: value.definition };
  return { definition: value };
}
