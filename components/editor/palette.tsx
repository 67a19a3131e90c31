"use client";

import { Command } from "cmdk";
import { Search } from "lucide-react";
import type { CatalogDescription, NodeTypeDescription } from "@/lib/catalog/description";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "@/components/ui/dialog";
import { NodeIcon } from "./node-icon";

/** The drag data of a step type dragged from the palette onto the canvas: the type's id. */
export const STEP_DRAG_TYPE = "application/x-flowline-step";

const builtinGroups: Record<string, string> = { control: "Flow control", core: "Basics" };

/** The catalog's node types, grouped: flow control and basics first, then each provider by name. */
export function paletteGroups(catalog: CatalogDescription): { heading: string; types: NodeTypeDescription[] }[] {
  const providerNames = new Map(catalog.providers.map((provider) => [provider.id, provider.name]));
  const groups = new Map<string, NodeTypeDescription[]>();
  for (const nodeType of catalog.nodeTypes) {
    const heading = builtinGroups[nodeType.category] ?? providerNames.get(nodeType.provider ?? nodeType.category) ?? nodeType.category;
    groups.set(heading, [...(groups.get(heading) ?? []), nodeType]);
  }
  const order = (heading: string) => Object.values(builtinGroups).indexOf(heading);
  return [...groups.entries()]
    .map(([heading, types]) => ({ heading, types }))
    .sort((a, b) => {
      const [x, y] = [order(a.heading), order(b.heading)];
      if (x !== -1 || y !== -1) return (x === -1 ? 99 : x) - (y === -1 ? 99 : y);
      return a.heading.localeCompare(b.heading);
    });
}

type PaletteProps = {
  catalog: CatalogDescription;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Where the step goes, for the title: "after If: True". */
  context: string;
  onPick: (type: string) => void;
};

/**
 * The command menu that adds a step: search by name, description, category or provider; Enter or
 * a click adds the step where the palette was opened, or a step is dragged to a place on the
 * canvas or onto a connection.
 */
export function Palette({ catalog, open, onOpenChange, context, onPick }: PaletteProps) {
  const providerNames = new Map(catalog.providers.map((provider) => [provider.id, provider.name]));
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="top-[15%] max-w-lg translate-y-0 gap-0 overflow-hidden p-0">
        <DialogTitle className="sr-only">Add a step</DialogTitle>
        <DialogDescription className="sr-only">{context}. Type to search, arrows to move, Enter to add, or drag a step onto the canvas.</DialogDescription>
        <Command label="Add a step" className="grid" loop>
          <div className="flex items-center gap-2 border-b px-3">
            <Search className="size-4 shrink-0 text-muted-foreground" aria-hidden />
            <Command.Input
              autoFocus
              placeholder="Search steps: Slack, approval, wait…"
              className="h-11 w-full bg-transparent text-sm outline-none placeholder:text-muted-foreground"
            />
          </div>
          <p className="border-b px-3 py-1.5 text-xs text-muted-foreground">
            {context}
            <span className="hidden sm:inline">, or drag one onto the canvas or a connection</span>
          </p>
          <Command.List className="max-h-[min(60dvh,420px)] overflow-y-auto p-1.5">
            <Command.Empty className="px-3 py-6 text-center text-sm text-muted-foreground">
              No step matches. Connect more apps in Settings → Integrations.
            </Command.Empty>
            {paletteGroups(catalog).map((group) => (
              <Command.Group
                key={group.heading}
                heading={group.heading}
                className="[&_[cmdk-group-heading]]:px-2 [&_[cmdk-group-heading]]:py-1.5 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:text-muted-foreground"
              >
                {group.types.map((nodeType) => (
                  <Command.Item
                    key={nodeType.type}
                    value={nodeType.type}
                    keywords={[
                      nodeType.name,
                      nodeType.description,
                      nodeType.category,
                      ...(nodeType.provider ? [providerNames.get(nodeType.provider) ?? nodeType.provider] : []),
                    ]}
                    onSelect={() => onPick(nodeType.type)}
                    draggable
                    onDragStart={(event) => {
                      event.dataTransfer.setData(STEP_DRAG_TYPE, nodeType.type);
                      event.dataTransfer.effectAllowed = "copy";
                      // The palette covers the canvas: it steps aside once the drag has begun
                      // (removing the dragged item inside dragstart would cancel the drag).
                      setTimeout(() => onOpenChange(false));
                    }}
                    className="flex cursor-pointer items-start gap-3 rounded-md px-2 py-2 text-sm data-[selected=true]:bg-accent data-[selected=true]:text-accent-foreground"
                  >
                    <span className="mt-0.5 grid size-7 shrink-0 place-items-center rounded-md bg-muted">
                      <NodeIcon icon={nodeType.icon} className="size-4" />
                    </span>
                    <span className="grid min-w-0">
                      <span className="font-medium">{nodeType.name}</span>
                      <span className="truncate text-xs text-muted-foreground">{nodeType.description}</span>
                    </span>
                  </Command.Item>
                ))}
              </Command.Group>
            ))}
          </Command.List>
        </Command>
      </DialogContent>
    </Dialog>
  );
}
