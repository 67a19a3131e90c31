import type { Metadata } from "next";
import { hasRole, type Role } from "@/lib/auth/roles";
import { pageCaller } from "@/lib/auth/session";
import { listInvites } from "@/lib/companies/invites";
import { listMembers, type MemberSummary } from "@/lib/companies/members";
import { getDb } from "@/lib/db";
import { removeMemberAction, revokeInviteAction } from "@/app/(app)/settings/actions";
import { ActionButton } from "@/components/action-button";
import { formatDate, formatDateTime, relativeTime } from "@/components/format";
import { RoleBadge, roleLabels } from "@/components/roles";
import { InvitePanel } from "@/components/settings/invite-panel";
import { MemberRoleSelect } from "@/components/settings/member-role-select";
import { Alert } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

export const metadata: Metadata = { title: "Members" };

// Mirrors lib/companies/members.ts so nobody is offered a button the server would refuse:
// admins remove members and admins, only owners remove owners, everyone may leave.
const canRemove = (callerRole: Role, memberRole: Role) => hasRole(callerRole, memberRole === "owner" ? "owner" : "admin");

export default async function MembersPage() {
  const caller = await pageCaller();
  const db = await getDb();
  const isAdmin = hasRole(caller.role, "admin");
  const [members, invites] = await Promise.all([listMembers(db, caller), isAdmin ? listInvites(db, caller) : []]);

  return (
    <div className="grid gap-6">
      <Card>
        <CardHeader>
          <CardTitle>Members</CardTitle>
          <CardDescription>Everyone who can work in this company.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          {!isAdmin && <Alert>Only admins and owners can invite people or remove members, and only owners change roles.</Alert>}
          <Table>
            <TableCaption>Members of this company</TableCaption>
            <TableHeader>
              <TableRow>
                <TableHead>Member</TableHead>
                <TableHead>Role</TableHead>
                <TableHead className="hidden sm:table-cell">Joined</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {members.map((member) => (
                <MemberRow key={member.id} member={member} callerRole={caller.role} isSelf={member.userId === caller.userId} />
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>

      {isAdmin && (
        <Card>
          <CardHeader>
            <CardTitle>Invite people</CardTitle>
            <CardDescription>Create a link and send it to the person you want to invite. Each link works once and expires after 7 days.</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-6">
            <InvitePanel />
            <section aria-labelledby="pending-invites" className="grid gap-2">
              <h3 id="pending-invites" className="text-sm font-medium">
                Pending invites
              </h3>
              {invites.length === 0 ? (
                <p className="text-sm text-muted-foreground">No pending invites.</p>
              ) : (
                <Table>
                  <TableCaption>Pending invites</TableCaption>
                  <TableHeader>
                    <TableRow>
                      <TableHead>Role</TableHead>
                      <TableHead className="hidden sm:table-cell">Invited by</TableHead>
                      <TableHead>Expires</TableHead>
                      <TableHead>
                        <span className="sr-only">Actions</span>
                      </TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {invites.map((invite) => (
                      <TableRow key={invite.id}>
                        <TableCell>
                          <RoleBadge role={invite.role} />
                        </TableCell>
                        <TableCell className="hidden sm:table-cell">{invite.invitedBy}</TableCell>
                        <TableCell className="whitespace-nowrap">
                          <time dateTime={invite.expiresAt.toISOString()} title={formatDateTime(invite.expiresAt)}>
                            {relativeTime(invite.expiresAt)}
                          </time>
                        </TableCell>
                        <TableCell className="text-right">
                          <ActionButton
                            action={revokeInviteAction}
                            input={{ id: invite.id }}
                            variant="outline"
                            size="sm"
                            aria-label={`Revoke ${roleLabels[invite.role].toLowerCase()} invite from ${invite.invitedBy}`}
                            success="Invite revoked"
                            confirm={{ title: "Revoke this invite?", description: "The link stops working right away.", confirmLabel: "Revoke invite" }}
                          >
                            Revoke
                          </ActionButton>
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </section>
          </CardContent>
        </Card>
      )}
    </div>
  );
}

function MemberRow({ member, callerRole, isSelf }: { member: MemberSummary; callerRole: Role; isSelf: boolean }) {
  const label = member.name ?? member.email;
  return (
    <TableRow>
      <TableCell>
        <div className="font-medium">
          {member.name ?? member.email}
          {isSelf && <span className="ml-1.5 text-xs font-normal text-muted-foreground">(you)</span>}
        </div>
        {member.name && <div className="text-xs break-all text-muted-foreground">{member.email}</div>}
      </TableCell>
      <TableCell>
        {callerRole === "owner" ? <MemberRoleSelect membershipId={member.id} role={member.role} memberLabel={label} /> : <RoleBadge role={member.role} />}
      </TableCell>
      <TableCell className="hidden whitespace-nowrap text-muted-foreground sm:table-cell">
        <time dateTime={member.createdAt.toISOString()}>{formatDate(member.createdAt)}</time>
      </TableCell>
      <TableCell className="text-right">
        {isSelf ? (
          <ActionButton
            action={removeMemberAction}
            input={{ id: member.id }}
            variant="outline"
            size="sm"
            success="You left the company"
            redirectTo="/workflows"
            confirm={{
              title: "Leave this company?",
              description: "You lose access to its workflows, runs and documents. To come back, an admin has to invite you again.",
              confirmLabel: "Leave company",
            }}
          >
            Leave
          </ActionButton>
        ) : (
          canRemove(callerRole, member.role) && (
            <ActionButton
              action={removeMemberAction}
              input={{ id: member.id }}
              variant="outline"
              size="sm"
              aria-label={`Remove ${label}`}
              success={`${label} was removed`}
              confirm={{
                title: `Remove ${label}?`,
                description: "They lose access to this company right away. You can invite them again later.",
                confirmLabel: "Remove member",
              }}
            >
              Remove
            </ActionButton>
          )
        )}
      </TableCell>
    </TableRow>
  );
}
