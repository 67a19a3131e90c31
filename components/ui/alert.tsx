import { CircleExclamationPoint, Info } from "lucide-react";
import type { ComponentProps } from "react";
import { cn } from "@/lib/utils/cn";

const tones = {
  error: { icon: CircleExclamationPoint, classes: "border-destructive/40 bg-destructive/10 text-destructive" },
  warning: { icon: Info, classes: "border-warning-foreground/30 bg-warning text-warning-foreground" },
  info: { icon: Info, classes: "bg-muted text-foreground" },
};

/** A message block. Errors use role="alert" so screen readers announce them as they appear. */
export function Alert({ tone = "info", className, children, ...props }: ComponentProps<"div"> & { tone?: keyof typeof tones }) {
  const { icon: Icon, classes } = tones[tone];
  return (
    <div role={tone === "error" ? "alert" : undefined} className={cn("flex gap-2.5 rounded-lg border px-3 py-2.5 text-sm", classes, className)} {...props}>
      <Icon className="mt-0.5 size-4 shrink-0" aria-hidden />
      <div className="grid gap-1">{children}</div>
    </div>
  );
}
