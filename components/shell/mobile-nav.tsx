"use client";

import { Menu } from "lucide-react";
import { usePathname } from "next/navigation";
import { useState, type ReactNode } from "react";
import { Brand } from "@/components/brand";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTitle, DialogTrigger } from "@/components/ui/dialog";

/** The top bar on small screens; its menu button opens the sidebar (children) as a sheet. */
export function MobileNav({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  // Remember the page the sheet was opened on: any navigation (a link, a redirect after creating a
  // company) closes it without an effect to keep in sync.
  const [openedOn, setOpenedOn] = useState<string | null>(null);
  return (
    <header className="sticky top-0 z-40 flex h-14 items-center gap-2 border-b bg-background/95 px-3 backdrop-blur md:hidden">
      <Dialog open={openedOn === pathname} onOpenChange={(open) => setOpenedOn(open ? pathname : null)}>
        <DialogTrigger asChild>
          <Button variant="ghost" size="icon" aria-label="Open menu">
            <Menu aria-hidden />
          </Button>
        </DialogTrigger>
        <DialogContent
          side="left"
          closeLabel="Close menu"
          aria-describedby={undefined}
          // A tap on the link to the current page changes no path, so close on any link tap too.
          onClick={(event) => {
            if (event.target instanceof Element && event.target.closest("a")) setOpenedOn(null);
          }}
        >
          <DialogTitle className="sr-only">Menu</DialogTitle>
          {children}
        </DialogContent>
      </Dialog>
      <Brand />
    </header>
  );
}
