import { useId, type ReactNode } from "react";
import { controlClasses } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { ProblemList, type ProblemItem } from "@/components/workflows/problems";
import { cn } from "@/lib/utils/cn";

type JsonFieldProps = {
  label: string;
  name: string;
  value: string;
  onChange?: (text: string) => void;
  readOnly?: boolean;
  autoFocus?: boolean;
  hint?: string;
  /** Why the text was refused: broken JSON, or the sentence that introduces `problems`. */
  error?: string;
  problems?: ProblemItem[];
  /** Shown next to the line count, e.g. "Unsaved changes". */
  status?: ReactNode;
};

/**
 * A monospace textarea for a JSON document, with its line count, and what was wrong with it
 * wired to it through aria-describedby (the kit's FormField only renders single-line inputs).
 */
export function JsonField({ label, name, value, onChange, readOnly, autoFocus, hint, error, problems = [], status }: JsonFieldProps) {
  const id = useId();
  const lines = value.split("\n").length;
  // Grows with the text up to a screenful, then scrolls. (CSS field-sizing would also widen it to
  // the longest line, and with it the whole page on a phone.)
  const rows = Math.min(Math.max(lines + 1, 6), 28);
  const describedBy = [hint && !error && `${id}-hint`, error && `${id}-error`, problems.length > 0 && `${id}-problems`].filter(Boolean).join(" ");
  return (
    <div className="grid gap-2">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <Label htmlFor={id}>{label}</Label>
        <p className="flex gap-2 text-xs text-muted-foreground">
          {status}
          <span>{lines === 1 ? "1 line" : `${lines} lines`}</span>
        </p>
      </div>
      <textarea
        id={id}
        name={name}
        value={value}
        onChange={onChange && ((event) => onChange(event.target.value))}
        rows={rows}
        readOnly={readOnly}
        autoFocus={autoFocus}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        autoCorrect="off"
        wrap="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        className={cn(controlClasses, "h-auto resize-y py-2 font-mono text-xs leading-5 read-only:bg-muted")}
      />
      {hint && !error && (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-xs font-medium text-destructive">
          {error}
        </p>
      )}
      {problems.length > 0 && (
        <div id={`${id}-problems`}>
          <ProblemList problems={problems} />
        </div>
      )}
    </div>
  );
}
