import { cn } from "@/lib/utils/cn";

/** The logo mark (public/flowline-mark.svg) and product name. */
export function Brand({ className }: { className?: string }) {
  return (
    <span className={cn("flex items-center gap-2 font-semibold tracking-tight", className)}>
      {/* A local SVG: nothing for next/image to optimize. */}
      {/* eslint-disable-next-line @next/next/no-img-element */}
      <img src="/flowline-mark.svg" alt="" aria-hidden className="size-7" />
      Flowline
    </span>
  );
}
