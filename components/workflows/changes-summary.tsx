import type { DefinitionDiff } from "@/lib/workflow";

function NodeIds({ label, ids }: { label: string; ids: string[] }) {
  if (ids.length === 0) return null;
  return (
    <>
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="flex flex-wrap gap-1.5">
        {ids.map((id) => (
          <code key={id} className="rounded bg-muted px-1.5 py-0.5 font-mono text-xs">
            {id}
          </code>
        ))}
      </dd>
    </>
  );
}

/** What publishing the draft would change, by node id. */
export function ChangesSummary({ changes }: { changes: DefinitionDiff }) {
  const { added, removed, changed, triggerChanged } = changes;
  if (added.length + removed.length + changed.length === 0 && !triggerChanged) {
    // The diff leaves out what never affects a run (positions, the viewport, edge ids), which the draft may still differ in.
    return <p className="text-sm text-muted-foreground">Only the layout changed (positions or edge ids): runs would behave the same.</p>;
  }
  return (
    <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
      <NodeIds label="Added" ids={added} />
      <NodeIds label="Removed" ids={removed} />
      <NodeIds label="Changed" ids={changed} />
      {triggerChanged && (
        <>
          <dt className="text-muted-foreground">Trigger</dt>
          <dd>Its type, settings or first steps changed.</dd>
        </>
      )}
    </dl>
  );
}
