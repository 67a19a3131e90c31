import { useId, type ComponentProps } from "react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

type FormFieldProps = ComponentProps<"input"> & {
  label: string;
  name: string;
  /** Shown under the field and linked to it, so screen readers read it with the field. */
  error?: string;
  hint?: string;
};

/** A labelled input with its hint and error message wired up through aria-describedby. */
export function FormField({ label, error, hint, id, className, ...inputProps }: FormFieldProps) {
  const generatedId = useId();
  const inputId = id ?? generatedId;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  // The error replaces the hint, so the field points at whichever of the two is on screen.
  const describedBy = error ? errorId : hint ? hintId : undefined;
  return (
    <div className={className ?? "grid gap-2"}>
      <Label htmlFor={inputId}>{label}</Label>
      <Input id={inputId} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...inputProps} />
      {hint && !error && (
        <p id={hintId} className="text-xs text-muted-foreground">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="text-xs font-medium text-destructive">
          {error}
        </p>
      )}
    </div>
  );
}
