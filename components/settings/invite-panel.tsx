"use client";

import { useId, useState } from "react";
import { createInviteAction } from "@/app/(app)/settings/actions";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { ShowOnce } from "@/components/ui/show-once";
import { useFormAction } from "@/components/use-action";

/** Creates an invite link; the link is shown here once, since only its hash is stored. */
export function InvitePanel() {
  const roleId = useId();
  const [created, setCreated] = useState<{ url: string; role: string } | null>(null);
  const { formProps, pending } = useFormAction(createInviteAction, {
    success: "Invite link created",
    onSuccess: ({ url, invite }) => setCreated({ url, role: invite.role }),
  });

  return (
    <div className="grid gap-4">
      <form {...formProps} className="flex flex-wrap items-end gap-3">
        <div className="grid gap-2">
          <Label htmlFor={roleId}>Invite as</Label>
          <Select id={roleId} name="role" defaultValue="member">
            <option value="member">Member</option>
            <option value="admin">Admin</option>
          </Select>
        </div>
        <Button type="submit" pending={pending}>
          Create invite link
        </Button>
      </form>
      {created && (
        <ShowOnce
          label="Invite link"
          value={created.url}
          copyLabel="Copy link"
          warning={`Copy this link now and send it to the person you are inviting: it won't be shown again. It works once, within 7 days, and makes them ${created.role === "admin" ? "an admin" : "a member"}.`}
        />
      )}
    </div>
  );
}
