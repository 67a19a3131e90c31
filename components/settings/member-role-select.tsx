"use client";

import type { Role } from "@/lib/auth/roles";
import { changeRoleAction } from "@/app/(app)/settings/actions";
import { roleLabels } from "@/components/roles";
import { Select } from "@/components/ui/select";
import { useAction } from "@/components/use-action";

/** The owner's role picker in the members table; it saves on change. */
export function MemberRoleSelect({ membershipId, role, memberLabel }: { membershipId: string; role: Role; memberLabel: string }) {
  const { run, pending } = useAction(changeRoleAction, { success: "Role changed" });
  return (
    <Select
      aria-label={`Role of ${memberLabel}`}
      value={role}
      disabled={pending}
      className="h-8"
      onChange={(event) => run({ membershipId, role: event.target.value })}
    >
      {Object.entries(roleLabels).map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </Select>
  );
}
