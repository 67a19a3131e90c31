"use client";

import { useId } from "react";
import { Alert } from "@/components/ui/alert";
import { CopyButton } from "@/components/ui/copy-button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

type ShowOnceProps = { label: string; value: string; copyLabel: string; warning: string };

/** A secret (API key, invite link) the server returns once and never stores readably. */
export function ShowOnce({ label, value, copyLabel, warning }: ShowOnceProps) {
  const id = useId();
  return (
    <div className="grid gap-3">
      <div className="grid gap-2">
        <Label htmlFor={id}>{label}</Label>
        <div className="flex gap-2">
          <Input id={id} value={value} readOnly className="font-mono text-xs" onFocus={(event) => event.currentTarget.select()} />
          <CopyButton value={value} label={copyLabel} />
        </div>
      </div>
      <Alert tone="warning">{warning}</Alert>
    </div>
  );
}
