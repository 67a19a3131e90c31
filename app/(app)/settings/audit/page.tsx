import type { Metadata } from "next";
import Link from "next/link";
import { auditEvents, listAuditLog, type AuditEntry } from "@/lib/audit";
import { hasRole } from "@/lib/auth/roles";
import { pageCaller } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { formatDateTime, relativeTime } from "@/components/format";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

export const metadata: Metadata = { title: "Audit log" };

type PageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };
const one = (value: string | string[] | undefined) => (typeof value === "string" && value !== "" ? value : undefined);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

// Groups for the filter: every kind, and each area as a whole ("workflow." matches all workflow events).
const kinds = Object.entries(auditEvents);
const areas = [...new Set(kinds.map(([action]) => action.split(".")[0]!))];

export default async function AuditPage({ searchParams }: PageProps) {
  const caller = await pageCaller();
  if (!hasRole(caller.role, "admin")) {
    return <Alert>Only admins and owners can read the audit log.</Alert>;
  }
  const params = await searchParams;
  const filters = { action: one(params.action), actor: one(params.actor), from: one(params.from), to: one(params.to) };
  const db = await getDb();
  const members = await db.membership.findMany({
    where: { companyId: caller.companyId },
    select: { userId: true, user: { select: { email: true } } },
    orderBy: { createdAt: "asc" },
  });
  let page: { entries: AuditEntry[]; nextCursor: string | null } = { entries: [], nextCursor: null };
  let problem: string | null = null;
  try {
    page = await listAuditLog(db, caller, {
      action: filters.action,
      actorUserId: filters.actor,
      from: filters.from && DATE.test(filters.from) ? `${filters.from}T00:00:00.000Z` : undefined,
      to: filters.to && DATE.test(filters.to) ? `${filters.to}T23:59:59.999Z` : undefined,
      cursor: one(params.cursor),
    });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    problem = error.issues?.[0] ? `${error.issues[0].path.join(".")}: ${error.issues[0].message}` : error.message;
  }
  const kept = Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined)) as Record<string, string>;

  return (
    <Card>
      <CardHeader>
        <CardTitle>Audit log</CardTitle>
        <CardDescription>Who changed what in this company and when: workflows, runs, approvals, connections, members and API keys.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Filter the audit log">
          <div className="grid gap-1.5">
            <Label htmlFor="audit-action">Event</Label>
            <Select id="audit-action" name="action" defaultValue={filters.action ?? ""}>
              <option value="">All events</option>
              {areas.map((area) => (
                <optgroup key={area} label={area}>
                  <option value={`${area}.`}>Any {area} event</option>
                  {kinds
                    .filter(([action]) => action.startsWith(`${area}.`))
                    .map(([action, event]) => (
                      <option key={action} value={action}>
                        {event.label}
                      </option>
                    ))}
                </optgroup>
              ))}
            </Select>
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="audit-actor">Person</Label>
            <Select id="audit-actor" name="actor" defaultValue={filters.actor ?? ""}>
              <option value="">Anyone</option>
              {members.map((member) => (
                <option key={member.userId} value={member.userId}>
                  {member.user.email}
                </option>
              ))}
            </Select>
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="audit-from">From</Label>
            <Input id="audit-from" name="from" type="date" defaultValue={filters.from} className="w-auto" />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="audit-to">To</Label>
            <Input id="audit-to" name="to" type="date" defaultValue={filters.to} className="w-auto" />
          </div>
          <Button type="submit" variant="outline">
            Filter
          </Button>
        </form>
        {problem && <Alert>{problem}</Alert>}
        {page.entries.length === 0 ? (
          <p className="rounded-lg border border-dashed px-4 py-8 text-center text-sm text-muted-foreground">No entries match.</p>
        ) : (
          <Table>
            <TableCaption>Audit log entries, newest first</TableCaption>
            <TableHeader>
              <TableRow>
                <TableHead>When</TableHead>
                <TableHead>Who</TableHead>
                <TableHead>What</TableHead>
                <TableHead>Change</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {page.entries.map((entry) => (
                <TableRow key={entry.id}>
                  <TableCell className="whitespace-nowrap text-muted-foreground">
                    <time dateTime={entry.at} title={formatDateTime(new Date(entry.at))}>
                      {relativeTime(new Date(entry.at))}
                    </time>
                  </TableCell>
                  <TableCell>{entry.actor.name}</TableCell>
                  <TableCell className="font-medium">
                    {entry.label}
                    {entry.target.name && <span className="block text-xs font-normal text-muted-foreground">{entry.target.name}</span>}
                  </TableCell>
                  <TableCell className="text-muted-foreground">{entry.summary}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        <nav aria-label="Audit log pages" className="flex gap-3">
          {params.cursor && (
            <Button asChild variant="outline" size="sm">
              <Link href={{ pathname: "/settings/audit", query: kept }}>Newest</Link>
            </Button>
          )}
          {page.nextCursor && (
            <Button asChild variant="outline" size="sm">
              <Link href={{ pathname: "/settings/audit", query: { ...kept, cursor: page.nextCursor } }}>Older entries</Link>
            </Button>
          )}
        </nav>
      </CardContent>
    </Card>
  );
}
