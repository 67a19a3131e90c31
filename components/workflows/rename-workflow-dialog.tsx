"use client";

import { Pencil } from "lucide-react";
import { useState } from "react";
import { updateWorkflowAction } from "@/app/(app)/workflows/actions";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { useFormAction } from "@/components/use-action";

type RenameProps = { id: string; name: string; description: string | null; revision: string };

/** Changes the name and description; based on the revision shown, like a draft save. */
export function RenameWorkflowDialog(props: RenameProps) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline">
          <Pencil aria-hidden />
          Rename
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Rename workflow</DialogTitle>
          <DialogDescription>People see the name and description in the list; runs are not affected.</DialogDescription>
        </DialogHeader>
        {/* Mounted only while open, so reopening shows the current name and no old errors. */}
        <RenameForm {...props} onDone={() => setOpen(false)} />
      </DialogContent>
    </Dialog>
  );
}

function RenameForm({ id, name, description, revision, onDone }: RenameProps & { onDone: () => void }) {
  const { formProps, pending, fieldErrors } = useFormAction(
    // An emptied description is removed rather than stored as "".
    (values) => updateWorkflowAction({ id, changes: { name: values.name ?? "", description: values.description || null, baseRevision: revision } }),
    { success: "Workflow renamed", onSuccess: onDone },
  );
  return (
    <form {...formProps} className="grid gap-4">
      <FormField label="Workflow name" name="name" defaultValue={name} required autoFocus maxLength={120} error={fieldErrors.name} />
      <FormField label="Description" name="description" defaultValue={description ?? ""} hint="Optional." error={fieldErrors.description} />
      <DialogFooter>
        <DialogClose asChild>
          <Button variant="outline">Cancel</Button>
        </DialogClose>
        <Button type="submit" pending={pending}>
          Save
        </Button>
      </DialogFooter>
    </form>
  );
}
