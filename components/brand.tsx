import { Workflow } from "lucide-react";
import { cn } from "@/lib/utils/cn";

/** The logo mark and product name. */
export function Brand({ className }: { className?: string }) {
  return (
    <span className={cn("flex items-center gap-2 font-semibold tracking-tight", className)}>
      <span className="flex size-7 items-center justify-center rounded-lg bg-primary text-primary-foreground">
        <Workflow className="size-4" aria-hidden />
      </span>
      Flowline
    </span>
  );
}
