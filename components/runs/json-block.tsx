/** JSON from a run (a payload, a step's input or output) indented, monospace, and scrollable by keyboard too when long. */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  if (value === null || value === undefined) return <p className="text-sm text-muted-foreground">None</p>;
  return (
    <pre tabIndex={0} aria-label={label} className="max-h-72 overflow-auto rounded-md border bg-muted/50 p-3 font-mono text-xs leading-relaxed">
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
