"use client";

import { Clock, FileSignature, GitBranch, Hand, Mail, Plug, Repeat, ArrowRight, ShieldCheck, Timer, Webhook, type LucideIcon } from "lucide-react";
import { useState } from "react";
import type { BuiltinIcon, IconDescription } from "@/lib/catalog/description";
import { cn } from "@/lib/utils/cn";

const builtin: Record<BuiltinIcon, LucideIcon> = {
  if: GitBranch,
  loop: Repeat,
  wait: Timer,
  approval: ShieldCheck,
  noop: ArrowRight,
  manual: Hand,
  webhook: Webhook,
  schedule: Clock,
  email: Mail,
  document: FileSignature,
};

/** A catalog icon: one the editor draws, or the provider's own SVG (a plug if it fails to load). */
export function NodeIcon({ icon, className }: { icon: IconDescription; className?: string }) {
  const [broken, setBroken] = useState(false);
  if ("src" in icon && !broken) {
    // eslint-disable-next-line @next/next/no-img-element -- a small local SVG; next/image adds nothing here
    return <img src={icon.src} alt="" className={cn("size-5", className)} onError={() => setBroken(true)} />;
  }
  const Icon = "builtin" in icon ? builtin[icon.builtin] : Plug;
  return <Icon className={cn("size-5", className)} aria-hidden />;
}
