import type { ComponentProps } from "react";
import { cn } from "@/lib/utils/cn";

export const controlClasses =
  "h-9 w-full min-w-0 rounded-md border border-input bg-background px-3 text-sm shadow-xs transition-colors placeholder:text-muted-foreground disabled:cursor-not-allowed disabled:opacity-60 aria-invalid:border-destructive aria-invalid:focus-visible:outline-destructive";

export function Input({ className, ...props }: ComponentProps<"input">) {
  return <input className={cn(controlClasses, "read-only:bg-muted", className)} {...props} />;
}
