import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils/cn";

const looks: Record<string, { label: string; className: string }> = {
  connected: { label: "Connected", className: "bg-emerald-500/15 text-emerald-700 dark:text-emerald-300" },
  needs_attention: { label: "Needs attention", className: "bg-destructive/10 text-destructive" },
  paused: { label: "Paused", className: "bg-amber-500/15 text-amber-800 dark:text-amber-300" },
  not_connected: { label: "Not connected", className: "" },
  not_configured: { label: "Not configured on this server", className: "" },
};

/** The status of an app or of one connection, in words and colour. */
export function StatusBadge({ status }: { status: string }) {
  const look = looks[status] ?? { label: status, className: "" };
  return (
    <Badge variant="secondary" className={cn(look.className)}>
      {look.label}
    </Badge>
  );
}
