"use client";

import { useEffect, useState } from "react";
import type { OptionItem } from "@/lib/catalog/description";
import { loadOptionsAction } from "@/app/(app)/settings/integrations/actions";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";

type ChannelSelectProps = {
  id: string;
  name: string;
  /** "<provider>.<loader>", e.g. discord.channels */
  loader: string;
  /** The connection whose channels to list; null: none to ask. */
  connectionId: string | null;
  defaultValue: string;
  /** The first choice (value ""): what leaving it empty means, e.g. { label: "The company's", value: <its channel> }. */
  empty: { label: string; value: string | null };
  "aria-describedby"?: string;
};

/** A channel picker filled from the provider with one connection; a plain id field when the list cannot be read. */
export function ChannelSelect({ id, name, loader, connectionId, defaultValue, empty, "aria-describedby": describedBy }: ChannelSelectProps) {
  const [options, setOptions] = useState<OptionItem[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (!connectionId) return;
    let current = true;
    void loadOptionsAction({ loader, connectionId }).then((result) => {
      if (!current) return;
      if (result.ok) setOptions(result.data.options);
      else setProblem(result.error.message);
    });
    return () => {
      current = false;
    };
  }, [loader, connectionId]);

  if (!connectionId || problem)
    return (
      <div className="grid gap-1">
        <Input id={id} name={name} defaultValue={defaultValue} placeholder="Channel id" aria-describedby={describedBy} />
        {problem && <p className="text-xs text-muted-foreground">The channels could not be listed ({problem}); enter a channel id.</p>}
      </div>
    );
  const known = options?.some((option) => option.value === defaultValue) ?? false;
  const nameOf = (value: string) => options?.find((option) => option.value === value)?.label ?? value;
  return (
    <Select id={id} name={name} defaultValue={defaultValue} key={options ? "loaded" : "loading"} aria-describedby={describedBy} aria-busy={!options}>
      <option value="">{empty.value ? `${empty.label}: ${nameOf(empty.value)}` : empty.label}</option>
      {defaultValue && !known && <option value={defaultValue}>{options ? `${defaultValue} (not listed)` : defaultValue}</option>}
      {options?.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </Select>
  );
}
