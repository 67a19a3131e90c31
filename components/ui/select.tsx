import type { ComponentProps } from "react";
import { cn } from "@/lib/utils/cn";
import { controlClasses } from "@/components/ui/input";

/** A native select: keyboard, screen reader and mobile pickers work without extra code. */
export function Select({ className, ...props }: ComponentProps<"select">) {
  return <select className={cn(controlClasses, "w-auto pr-8", className)} {...props} />;
}
