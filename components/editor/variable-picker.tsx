"use client";

import * as Popover from "@radix-ui/react-popover";
import { Command } from "cmdk";
import { Braces } from "lucide-react";
import { useState } from "react";
import type { Variable } from "./variables";

function preview(value: unknown): string {
  if (value === undefined) return "";
  const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/**
 * The {{…}} button of a text field: lists what is in scope here, inserts the picked path. Its
 * list is not portalled: inside the config modal, the modal's focus trap would close it.
 */
export function VariablePicker({ variables, onInsert, fieldLabel }: { variables: Variable[]; onInsert: (expression: string) => void; fieldLabel: string }) {
  const [open, setOpen] = useState(false);
  const groups = [...new Set(variables.map((variable) => variable.group))];
  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger
        type="button"
        className="inline-flex h-7 items-center gap-1 rounded-md border bg-background px-2 text-xs text-muted-foreground hover:bg-accent hover:text-foreground"
        aria-label={`Insert a variable into ${fieldLabel}`}
      >
        <Braces className="size-3.5" aria-hidden />
        Variable
      </Popover.Trigger>
      <Popover.Content
        align="end"
        sideOffset={4}
        className="z-[60] w-[min(26rem,calc(100vw-2rem))] rounded-lg border bg-popover text-popover-foreground shadow-lg"
      >
        <Command label="Variables" loop>
          <Command.Input
            autoFocus
            placeholder="Search variables…"
            className="h-10 w-full border-b bg-transparent px-3 text-sm outline-none placeholder:text-muted-foreground"
          />
          <Command.List className="max-h-72 overflow-y-auto p-1">
            <Command.Empty className="px-3 py-4 text-sm text-muted-foreground">
              Nothing in scope matches. Steps before this one appear here once connected.
            </Command.Empty>
            {groups.map((group) => (
              <Command.Group
                key={group}
                heading={group}
                className="[&_[cmdk-group-heading]]:px-2 [&_[cmdk-group-heading]]:py-1 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:text-muted-foreground"
              >
                {variables
                  .filter((variable) => variable.group === group)
                  .map((variable) => (
                    <Command.Item
                      key={variable.path}
                      value={variable.path}
                      keywords={[variable.description ?? ""]}
                      onSelect={() => {
                        onInsert(`{{${variable.path}}}`);
                        setOpen(false);
                      }}
                      className="flex cursor-pointer items-baseline justify-between gap-3 rounded-md px-2 py-1.5 text-sm data-[selected=true]:bg-accent"
                    >
                      <span className="min-w-0 flex-1">
                        <code className="font-mono text-xs break-all">{variable.path}</code>
                        {variable.description && <span className="block text-xs text-muted-foreground">{variable.description}</span>}
                      </span>
                      {variable.sample !== undefined && (
                        <code className="max-w-[40%] truncate font-mono text-xs text-muted-foreground">{preview(variable.sample)}</code>
                      )}
                    </Command.Item>
                  ))}
              </Command.Group>
            ))}
          </Command.List>
        </Command>
      </Popover.Content>
    </Popover.Root>
  );
}
