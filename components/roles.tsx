import type { Role } from "@/lib/auth/roles";
import { Badge } from "@/components/ui/badge";

export const roleLabels: Record<Role, string> = { owner: "Owner", admin: "Admin", member: "Member" };

export const roleDescriptions: Record<Role, string> = {
  owner: "Owners can do everything, including changing roles and removing other owners.",
  admin: "Admins manage the company name, members, invites and API keys.",
  member: "Members see workflows, runs and settings. Ask an admin or owner to change them.",
};

export function RoleBadge({ role }: { role: Role }) {
  return <Badge variant={role === "member" ? "secondary" : "default"}>{roleLabels[role]}</Badge>;
}
