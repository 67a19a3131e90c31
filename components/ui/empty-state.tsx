import type { ReactNode } from "react";

type EmptyStateProps = { icon: ReactNode; title: string; children: ReactNode; action?: ReactNode };

/** What an empty page shows: what will appear here and what to do first. */
export function EmptyState({ icon, title, children, action }: EmptyStateProps) {
  return (
    <section aria-labelledby="empty-state-title" className="flex flex-col items-center rounded-xl border border-dashed px-6 py-14 text-center">
      <div className="mb-4 flex size-12 items-center justify-center rounded-full bg-primary/10 text-primary [&_svg]:size-6">{icon}</div>
      <h2 id="empty-state-title" className="text-lg font-semibold">
        {title}
      </h2>
      <div className="mt-2 max-w-prose space-y-2 text-sm text-muted-foreground">{children}</div>
      {action && <div className="mt-6 flex flex-wrap justify-center gap-3">{action}</div>}
    </section>
  );
}
