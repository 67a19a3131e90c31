import type { WorkflowSummary } from "@/lib/workflow/store";
import { Badge } from "@/components/ui/badge";

type BadgeFacts = Pick<WorkflowSummary, "publishedVersion" | "hasUnpublishedChanges" | "enabled">;

/** What runs (which version, whether the draft differs from it) and whether triggers start runs. */
export function WorkflowBadges({ workflow }: { workflow: BadgeFacts }) {
  const { publishedVersion, hasUnpublishedChanges, enabled } = workflow;
  return (
    <span className="flex flex-wrap gap-1.5">
      {publishedVersion === null ? (
        <Badge variant="secondary">Draft only</Badge>
      ) : hasUnpublishedChanges ? (
        <Badge className="bg-warning text-warning-foreground">Published v{publishedVersion} · unpublished changes</Badge>
      ) : (
        <Badge>Published v{publishedVersion}</Badge>
      )}
      {enabled ? <Badge>Enabled</Badge> : <Badge variant="secondary">Disabled</Badge>}
    </span>
  );
}
