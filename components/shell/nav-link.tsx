"use client";

import { cva } from "class-variance-authority";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { cn } from "@/lib/utils/cn";

const linkVariants = cva("flex items-center gap-2.5 text-sm font-medium transition-colors [&_svg]:size-4 [&_svg]:shrink-0", {
  variants: {
    variant: {
      sidebar:
        "rounded-md px-2.5 py-2 text-muted-foreground hover:bg-accent hover:text-accent-foreground aria-[current=page]:bg-accent aria-[current=page]:text-accent-foreground",
      tabs: "-mb-px border-b-2 border-transparent px-1 pb-2.5 text-muted-foreground hover:text-foreground aria-[current=page]:border-primary aria-[current=page]:text-foreground",
    },
  },
});

type NavLinkProps = {
  href: string;
  children: ReactNode;
  variant: "sidebar" | "tabs";
  /** Active only on this exact path (/settings), not on the pages below it. */
  exact?: boolean;
};

/** A navigation link that marks itself aria-current="page" when it leads to where we are. */
export function NavLink({ href, children, variant, exact = false }: NavLinkProps) {
  const pathname = usePathname();
  const active = pathname === href || (!exact && pathname.startsWith(`${href}/`));
  return (
    <Link href={href} aria-current={active ? "page" : undefined} className={cn(linkVariants({ variant }))}>
      {children}
    </Link>
  );
}
