"use client";

import { ChevronsUpDown, LoaderCircle, Plus } from "lucide-react";
import { useState } from "react";
import type { CompanyChoice } from "@/lib/companies/members";
import { switchCompanyAction } from "@/app/(app)/actions";
import { CreateCompanyForm } from "@/components/company/create-company-form";
import { roleLabels } from "@/components/roles";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { useAction } from "@/components/use-action";

const initial = (name: string) => name.trim().charAt(0).toUpperCase() || "?";

export function CompanySwitcher({ companies, currentId }: { companies: CompanyChoice[]; currentId: string }) {
  const [creating, setCreating] = useState(false);
  const current = companies.find((company) => company.id === currentId);
  // The action revalidates the layout, so the page re-renders for the new company by itself.
  const { run, pending } = useAction(switchCompanyAction, {
    success: ({ companyId }) => `Switched to ${companies.find((company) => company.id === companyId)?.name ?? "the company"}`,
  });

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger className="flex w-full items-center gap-2.5 rounded-lg border bg-background p-2 text-left shadow-xs transition-colors hover:bg-accent">
          <span className="flex size-8 shrink-0 items-center justify-center rounded-md bg-primary/10 text-sm font-semibold text-primary" aria-hidden>
            {initial(current?.name ?? "")}
          </span>
          <span className="grid min-w-0 flex-1">
            <span className="truncate text-sm font-medium">{current?.name}</span>
            <span className="text-xs text-muted-foreground">{current && roleLabels[current.role]}</span>
          </span>
          <span className="sr-only">Switch company</span>
          {pending ? <LoaderCircle className="size-4 animate-spin" aria-hidden /> : <ChevronsUpDown className="size-4 text-muted-foreground" aria-hidden />}
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start" className="w-(--radix-dropdown-menu-trigger-width)">
          <DropdownMenuLabel>Companies</DropdownMenuLabel>
          <DropdownMenuRadioGroup value={currentId} onValueChange={(id) => id !== currentId && run({ id })}>
            {companies.map((company) => (
              <DropdownMenuRadioItem key={company.id} value={company.id}>
                <span className="truncate">{company.name}</span>
                <span className="ml-auto text-xs text-muted-foreground">{roleLabels[company.role]}</span>
              </DropdownMenuRadioItem>
            ))}
          </DropdownMenuRadioGroup>
          <DropdownMenuSeparator />
          <DropdownMenuItem onSelect={() => setCreating(true)}>
            <Plus aria-hidden />
            New company
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      {/* A sibling of the menu, not inside it: the menu unmounts its content when it closes. */}
      <Dialog open={creating} onOpenChange={setCreating}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>New company</DialogTitle>
            <DialogDescription>You will be its owner. Each company has its own workflows, members and API keys.</DialogDescription>
          </DialogHeader>
          <CreateCompanyForm onCreated={() => setCreating(false)} />
        </DialogContent>
      </Dialog>
    </>
  );
}
