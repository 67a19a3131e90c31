"use client";

import { useState } from "react";
import { setDefaultChannelAction } from "@/app/(app)/settings/integrations/actions";
import { ChannelSelect } from "@/components/integrations/channel-select";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { useFormAction } from "@/components/use-action";

type DefaultChannelDialogProps = { connectionId: string; connectionName: string; appName: string; loader: string; current: string | null };

/** Sets the channel a company connection's steps go to when they name none: every workflow inherits it unless it sets its own. */
export function DefaultChannelDialog({ connectionId, connectionName, appName, loader, current }: DefaultChannelDialogProps) {
  const [open, setOpen] = useState(false);
  const { formProps, pending } = useFormAction(setDefaultChannelAction, { success: "Default channel saved", onSuccess: () => setOpen(false) });
  const id = `${connectionId}-default-channel`;
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm" aria-label={`Default channel of ${connectionName}`}>
          Default channel
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Default channel of {connectionName}</DialogTitle>
          <DialogDescription>
            {appName} steps that name no channel post here, in every workflow that uses this connection and sets no channel of its own.
          </DialogDescription>
        </DialogHeader>
        <form {...formProps} className="grid gap-4">
          <input type="hidden" name="id" value={connectionId} />
          <div className="grid gap-2">
            <Label htmlFor={id}>Channel</Label>
            {open && (
              <ChannelSelect
                id={id}
                name="defaultChannel"
                loader={loader}
                connectionId={connectionId}
                defaultValue={current ?? ""}
                empty={{ label: "No default", value: null }}
              />
            )}
          </div>
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" pending={pending}>
              Save
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
