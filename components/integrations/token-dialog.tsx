"use client";

import { KeyRound } from "lucide-react";
import { useState } from "react";
import { connectWithTokenAction } from "@/app/(app)/settings/integrations/actions";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { useFormAction } from "@/components/use-action";

type TokenDialogProps = { appId: string; appName: string; label: string; placeholder: string; help: string; canManageCompany: boolean };

/** Connects an app with a pasted token; the server checks it with the provider before saving it. */
export function TokenDialog({ appId, appName, label, placeholder, help, canManageCompany }: TokenDialogProps) {
  const [open, setOpen] = useState(false);
  const { formProps, pending, fieldErrors } = useFormAction(connectWithTokenAction, {
    success: (data) => `${appName} connected: ${data.displayName}`,
    onSuccess: () => setOpen(false),
  });
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline">
          <KeyRound aria-hidden />
          Paste a token
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Connect {appName} with a token</DialogTitle>
          <DialogDescription>{help}</DialogDescription>
        </DialogHeader>
        <form {...formProps} className="grid gap-4">
          <input type="hidden" name="appId" value={appId} />
          <FormField
            label={label}
            name="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            required
            autoFocus
            placeholder={placeholder}
            error={fieldErrors.token}
            hint="Stored encrypted; nobody sees it again, not even you."
          />
          <div className="grid gap-2">
            <Label htmlFor={`${appId}-owner`}>For</Label>
            <Select id={`${appId}-owner`} name="owner" defaultValue={canManageCompany ? "company" : "user"}>
              {canManageCompany && <option value="company">The company (any workflow can use it)</option>}
              <option value="user">Me (runs I start can use it)</option>
            </Select>
          </div>
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" pending={pending}>
              Check and connect
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
