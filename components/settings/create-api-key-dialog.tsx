"use client";

import { Plus } from "lucide-react";
import { useState } from "react";
import { createApiKeyAction } from "@/app/(app)/settings/actions";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { ShowOnce } from "@/components/ui/show-once";
import { useFormAction } from "@/components/use-action";

/** Names a new key, then shows it once: the server keeps only its hash. */
export function CreateApiKeyDialog() {
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState<string | null>(null);
  const { formProps, pending, fieldErrors } = useFormAction(createApiKeyAction, {
    success: "API key created",
    onSuccess: (data) => setKey(data.key),
  });

  function changeOpen(next: boolean) {
    setOpen(next);
    // Closing forgets the key, so reopening starts a new one instead of showing the old.
    if (!next) setKey(null);
  }

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogTrigger asChild>
        <Button>
          <Plus aria-hidden />
          Create API key
        </Button>
      </DialogTrigger>
      <DialogContent>
        {key ? (
          <>
            <DialogHeader>
              <DialogTitle>Copy your API key</DialogTitle>
              <DialogDescription>
                Send it to <code className="font-mono text-xs">/api/v1</code> in the header{" "}
                <code className="font-mono text-xs whitespace-nowrap">Authorization: Bearer &lt;key&gt;</code>.
              </DialogDescription>
            </DialogHeader>
            <ShowOnce
              label="API key"
              value={key}
              copyLabel="Copy key"
              warning="Copy it now: you won't see it again. Store it somewhere safe, such as a password manager or your CI secrets."
            />
            <DialogFooter>
              <DialogClose asChild>
                <Button>Done</Button>
              </DialogClose>
            </DialogFooter>
          </>
        ) : (
          <>
            <DialogHeader>
              <DialogTitle>Create API key</DialogTitle>
              <DialogDescription>The key acts as an admin of this company through the API.</DialogDescription>
            </DialogHeader>
            <form {...formProps} className="grid gap-4">
              <FormField label="Key name" name="name" required autoFocus hint="Say what uses it, e.g. “Billing import”." error={fieldErrors.name} />
              <DialogFooter>
                <DialogClose asChild>
                  <Button variant="outline">Cancel</Button>
                </DialogClose>
                <Button type="submit" pending={pending}>
                  Create key
                </Button>
              </DialogFooter>
            </form>
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}
