import { RotateCcw } from "lucide-react";
import type { VersionSummary } from "@/lib/workflow/store";
import { revertWorkflowAction } from "@/app/(app)/workflows/actions";
import { ActionButton } from "@/components/action-button";
import { formatDateTime, relativeTime } from "@/components/format";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

type VersionsTableProps = { workflowId: string; versions: VersionSummary[]; canRestore: boolean };

/** Published versions, newest first; any of them can become the draft again. */
export function VersionsTable({ workflowId, versions, canRestore }: VersionsTableProps) {
  if (versions.length === 0) {
    return (
      <p className="rounded-lg border border-dashed px-4 py-6 text-center text-sm text-muted-foreground">
        No versions yet. Publishing the draft creates version 1.
      </p>
    );
  }
  return (
    <Table>
      <TableCaption>Published versions of this workflow</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Version</TableHead>
          <TableHead className="hidden sm:table-cell">Created</TableHead>
          <TableHead className="hidden sm:table-cell">By</TableHead>
          {canRestore && (
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          )}
        </TableRow>
      </TableHeader>
      <TableBody>
        {versions.map((version) => {
          const createdAt = new Date(version.createdAt);
          const created = (
            <time dateTime={version.createdAt} title={formatDateTime(createdAt)}>
              {relativeTime(createdAt)}
            </time>
          );
          return (
            <TableRow key={version.number}>
              <TableCell>
                <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
                  <span className="font-medium whitespace-nowrap">Version {version.number}</span>
                  {version.published && <Badge>Published</Badge>}
                </span>
                {/* On a phone the date goes under the version, leaving room for the button. */}
                <p className="mt-1 text-xs text-muted-foreground sm:hidden">{created}</p>
              </TableCell>
              <TableCell className="hidden whitespace-nowrap text-muted-foreground sm:table-cell">{created}</TableCell>
              {/* No author: published with an API key, or by someone since removed. */}
              <TableCell className="hidden text-muted-foreground sm:table-cell">{version.createdBy ?? "API key or former member"}</TableCell>
              {canRestore && (
                <TableCell className="text-right">
                  <ActionButton
                    action={revertWorkflowAction}
                    input={{ id: workflowId, version: version.number }}
                    variant="outline"
                    size="sm"
                    success={`Version ${version.number} restored to the draft`}
                    confirm={{
                      title: `Restore version ${version.number} to the draft?`,
                      description: `The draft becomes a copy of version ${version.number}; unsaved edits in the editor are lost. What runs does not change until you publish.`,
                      confirmLabel: "Restore version",
                    }}
                  >
                    <RotateCcw aria-hidden />
                    {/* One text run, or the button's gap would space out the words around the hidden part; relative,
                        so the hidden part stays inside the table's scrolling box instead of widening the page. */}
                    <span className="relative">
                      Restore<span className="sr-only"> version {version.number}</span> to draft
                    </span>
                  </ActionButton>
                </TableCell>
              )}
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
