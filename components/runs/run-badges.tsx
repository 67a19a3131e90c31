import { Ban, CircleCheck, CircleDashed, CircleX, Clock, FlaskConical, Hourglass, LoaderCircle, TriangleAlert, type LucideIcon } from "lucide-react";
import type { RunSummary } from "@/lib/workflow/runs";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils/cn";

// Labels for runs and their steps, shared by the runs list (a server page) and the live run page.

type Look = { label: string; icon: LucideIcon; className: string };

// Colour tells statuses apart at a glance; the icon and the word say the same for anyone who cannot see it.
const statuses: Record<string, Look> = {
  queued: { label: "Queued", icon: Clock, className: "bg-secondary text-secondary-foreground" },
  running: { label: "Running", icon: LoaderCircle, className: "bg-primary/10 text-primary [&_svg]:motion-safe:animate-spin" },
  waiting: { label: "Waiting", icon: Hourglass, className: "bg-warning text-warning-foreground" },
  succeeded: { label: "Succeeded", icon: CircleCheck, className: "bg-emerald-500/15 text-emerald-800 dark:text-emerald-300" },
  failed: { label: "Failed", icon: CircleX, className: "bg-destructive/10 text-destructive" },
  cancelled: { label: "Cancelled", icon: Ban, className: "bg-secondary text-secondary-foreground" },
  skipped: { label: "Skipped", icon: CircleDashed, className: "bg-secondary text-muted-foreground" },
};

export const statusLabel = (status: string) => statuses[status]?.label ?? status;

const iconBadge = "gap-1 [&_svg]:size-3 [&_svg]:shrink-0";

/** A run's or a step's status. */
export function StatusBadge({ status }: { status: string }) {
  const { label, icon: Icon, className } = statuses[status] ?? { label: status, icon: CircleDashed, className: "bg-secondary text-secondary-foreground" };
  return (
    <Badge className={cn(iconBadge, className)}>
      <Icon aria-hidden />
      {label}
    </Badge>
  );
}

/** Queued, running or waiting: the run may still change. */
export const isActive = (status: string) => status === "queued" || status === "running" || status === "waiting";

export const versionLabel = (version: RunSummary["version"]) => (version === "draft" ? "Draft" : `v${version}`);

const triggers: Record<string, string> = {
  manual: "Manual",
  api: "API",
  cli: "CLI",
  webhook: "Webhook",
  schedule: "Schedule",
  "email.inbound": "Email",
  "document.completed": "Document completed",
};
/** A manual run is labelled by where it was started (the API, the CLI); other triggers by their type. */
export const triggerLabel = (type: string, source?: string | null) =>
  type === "manual" && source && source !== "ui" ? (triggers[source] ?? source) : (triggers[type] ?? type);

/** What sets a run apart from an ordinary one: a dry run, or one a person has to look at. */
export function RunFlags({ run }: { run: Pick<RunSummary, "dryRun" | "needsAttention"> }) {
  return (
    <>
      {run.dryRun && (
        <Badge variant="secondary" className={iconBadge}>
          <FlaskConical aria-hidden />
          Dry run
        </Badge>
      )}
      {run.needsAttention && (
        <Badge className={cn(iconBadge, "bg-warning text-warning-foreground")}>
          <TriangleAlert aria-hidden />
          Needs attention
        </Badge>
      )}
    </>
  );
}
