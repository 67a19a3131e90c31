import Link from "next/link";
import type { WorkflowSummary } from "@/lib/workflow/store";
import { formatDateTime, relativeTime } from "@/components/format";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { WorkflowBadges } from "@/components/workflows/workflow-badges";

/** The company's workflows, each linking to its page. */
export function WorkflowsTable({ workflows }: { workflows: WorkflowSummary[] }) {
  return (
    <Table>
      <TableCaption>Workflows of this company, most recently changed first</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Workflow</TableHead>
          <TableHead className="hidden sm:table-cell">Status</TableHead>
          <TableHead className="hidden sm:table-cell">Last changed</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {workflows.map((workflow) => {
          const updatedAt = new Date(workflow.updatedAt);
          const changed = (
            <time dateTime={workflow.updatedAt} title={formatDateTime(updatedAt)}>
              {relativeTime(updatedAt)}
            </time>
          );
          return (
            <TableRow key={workflow.id}>
              <TableCell className="sm:min-w-48">
                <Link href={`/workflows/${workflow.id}`} className="font-medium underline-offset-4 [overflow-wrap:anywhere] hover:underline">
                  {workflow.name}
                </Link>
                {workflow.description && <p className="mt-0.5 line-clamp-2 text-muted-foreground">{workflow.description}</p>}
                {/* A phone has no room for the other columns: their content goes under the name. */}
                <div className="mt-2 grid gap-1.5 sm:hidden">
                  <WorkflowBadges workflow={workflow} />
                  <p className="text-xs text-muted-foreground">Changed {changed}</p>
                </div>
              </TableCell>
              <TableCell className="hidden sm:table-cell">
                <WorkflowBadges workflow={workflow} />
              </TableCell>
              <TableCell className="hidden whitespace-nowrap text-muted-foreground sm:table-cell">{changed}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
