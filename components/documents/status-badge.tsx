import { statusLabels, type DocumentStatus } from "@/lib/documents/schemas";
import { cn } from "@/lib/utils/cn";

const tones: Record<DocumentStatus, string> = {
  draft: "bg-muted text-muted-foreground",
  out_for_signature: "bg-blue-500/10 text-blue-700 dark:text-blue-300",
  partially_signed: "bg-amber-500/10 text-amber-700 dark:text-amber-300",
  completed: "bg-emerald-500/10 text-emerald-700 dark:text-emerald-300",
  declined: "bg-red-500/10 text-red-700 dark:text-red-300",
  expired: "bg-orange-500/10 text-orange-700 dark:text-orange-300",
  archived: "bg-muted text-muted-foreground",
};

export function DocumentStatusBadge({ status }: { status: DocumentStatus }) {
  return (
    <span className={cn("inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap", tones[status])}>{statusLabels[status]}</span>
  );
}
