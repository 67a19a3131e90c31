import type { WorkflowDefinition, WorkflowEdge, WorkflowTrigger } from "@/lib/workflow";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

const triggerLabels: Record<WorkflowTrigger["type"], string> = {
  manual: "started with Run now or through the API",
  webhook: "a signed webhook call",
  schedule: "a cron schedule",
  "email.inbound": "an email received through Resend",
  "document.completed": "a Doc Manager document signed by everyone",
};

/** Each source's outgoing connections, "approve" or "true → approve" when the handle is not the default. */
function connectionsBySource(edges: WorkflowEdge[]): Map<string, string[]> {
  const bySource = new Map<string, string[]>();
  for (const edge of edges) {
    const list = bySource.get(edge.source) ?? [];
    list.push(edge.sourceHandle === "out" ? edge.target : `${edge.sourceHandle} → ${edge.target}`);
    bySource.set(edge.source, list);
  }
  return bySource;
}

function Connections({ targets }: { targets: string[] | undefined }) {
  if (!targets) return <span className="text-muted-foreground">Nothing (ends here)</span>;
  return (
    <ul className="grid gap-0.5">
      {targets.map((target) => (
        <li key={target} className="font-mono text-xs whitespace-nowrap">
          {target}
        </li>
      ))}
    </ul>
  );
}

/** The draft's shape at a glance: what starts it, its steps and where each leads. */
export function NodesTable({ definition }: { definition: WorkflowDefinition }) {
  const connections = connectionsBySource(definition.edges);
  return (
    <div className="grid gap-4">
      <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
        <dt className="text-muted-foreground">Trigger</dt>
        <dd>
          <code className="font-mono text-xs">{definition.trigger.type}</code>
          <span className="text-muted-foreground"> · {triggerLabels[definition.trigger.type]}</span>
        </dd>
        <dt className="text-muted-foreground">Starts</dt>
        <dd>
          <Connections targets={connections.get("trigger")} />
        </dd>
      </dl>
      {definition.nodes.length === 0 ? (
        <p className="rounded-lg border border-dashed px-4 py-6 text-center text-sm text-muted-foreground">No steps yet: add them on the canvas.</p>
      ) : (
        <Table>
          <TableCaption>Nodes of the draft</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>Id</TableHead>
              <TableHead>Type</TableHead>
              <TableHead>Name</TableHead>
              <TableHead>Leads to</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {definition.nodes.map((node) => (
              <TableRow key={node.id}>
                <TableCell className="font-mono text-xs">{node.id}</TableCell>
                <TableCell className="font-mono text-xs whitespace-nowrap">{node.type}</TableCell>
                <TableCell>{node.name}</TableCell>
                <TableCell>
                  <Connections targets={connections.get(node.id)} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </div>
  );
}
