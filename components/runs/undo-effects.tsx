"use client";

import { ExternalLink, Undo2 } from "lucide-react";
import { useEffect, useState } from "react";
import type { EffectUndoView, UndoPreview } from "@/lib/workflow/undo";
import { undoRunAction } from "@/app/(app)/runs/actions";
import { Timestamp } from "@/components/runs/time";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { useAction } from "@/components/use-action";

const POLL_MS = 1000;

const stateLabels: Record<EffectUndoView["state"], string> = {
  to_undo: "Will be undone",
  undone: "Undone",
  failed: "Undo failed",
  manual: "Undo by hand",
  nothing: "Nothing to undo",
};

/**
 * The run's effects and their undo (admins): what each step did outside Flowline, whether it is
 * undone (when and by whom) or why its undo failed, and the "Undo effects" button, which shows
 * the preview in a dialog before anything is queued. Polls while an undo is under way.
 */
export function UndoEffects({ initial, runStatus }: { initial: UndoPreview; runStatus: string }) {
  const [preview, setPreview] = useState(initial);
  const [open, setOpen] = useState(false);
  const busy = preview.request?.status === "queued" || preview.request?.status === "running";
  // The run finished while the page was open: its effects are final now, and undo may be asked for.
  const stale = runStatus !== preview.runStatus;
  const { run, pending } = useAction(undoRunAction, {
    success: (result) => (result.queued ? "Undo queued" : "Nothing left to undo"),
    onSuccess: (result) => {
      setPreview(result);
      setOpen(false);
    },
  });

  useEffect(() => {
    if (!busy && !stale) return;
    const controller = new AbortController();
    const load = () =>
      void fetch(`/api/v1/runs/${encodeURIComponent(preview.runId)}/undo`, { cache: "no-store", signal: controller.signal })
        .then(async (response) => (response.ok ? setPreview((await response.json()) as UndoPreview) : undefined))
        .catch(() => undefined);
    if (stale) load();
    const timer = busy ? setInterval(load, POLL_MS) : undefined;
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [busy, stale, preview.runId]);

  if (preview.effects.length === 0) return null;
  const toUndo = preview.effects.filter((effect) => effect.state === "to_undo" || effect.state === "failed");
  const byHand = preview.effects.filter((effect) => effect.state === "manual");

  return (
    <section aria-labelledby="effects-heading" className="grid gap-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="effects-heading" className="text-lg font-semibold">
          Effects
        </h2>
        <Dialog open={open} onOpenChange={setOpen}>
          <DialogTrigger asChild>
            <Button variant="outline" disabled={!preview.canUndo || toUndo.length === 0} aria-describedby={preview.reason ? "undo-reason" : undefined}>
              <Undo2 aria-hidden />
              Undo effects
            </Button>
          </DialogTrigger>
          <DialogContent className="max-h-[calc(100dvh-2rem)] max-w-xl overflow-y-auto">
            <DialogHeader>
              <DialogTitle>Undo this run&apos;s effects?</DialogTitle>
              <DialogDescription>
                A worker undoes them newest first, each through the connection that made it. What fails is reported here and can be retried.
              </DialogDescription>
            </DialogHeader>
            <EffectGroup title="Will be undone" effects={toUndo} />
            <EffectGroup title="Must be undone by hand" effects={byHand} />
            <DialogFooter>
              <DialogClose asChild>
                <Button variant="outline">Cancel</Button>
              </DialogClose>
              <Button variant="destructive" pending={pending} onClick={() => run({ id: preview.runId })}>
                Undo {toUndo.length} {toUndo.length === 1 ? "effect" : "effects"}
              </Button>
            </DialogFooter>
          </DialogContent>
        </Dialog>
      </div>
      {preview.reason && (
        <p id="undo-reason" className="text-sm text-muted-foreground">
          {preview.reason}.
        </p>
      )}
      {preview.request && (
        <p className="text-sm text-muted-foreground" role="status">
          {busy ? "Undo under way" : preview.request.status === "failed" ? "The last undo left effects that failed" : "Last undo finished"} — asked by{" "}
          {preview.request.requestedBy} at <Timestamp iso={preview.request.createdAt} />.
        </p>
      )}
      <ol className="divide-y overflow-hidden rounded-xl border bg-card">
        {preview.effects.map((effect) => (
          <li key={effect.id} className="grid gap-1 px-3 py-3 sm:px-4">
            <EffectLine effect={effect} />
            {effect.state === "undone" && effect.undoneAt && (
              <p className="text-xs text-muted-foreground">
                Undone at <Timestamp iso={effect.undoneAt} />
                {effect.undoneBy ? ` by ${effect.undoneBy}` : ""}
              </p>
            )}
            {effect.error && (
              <p className="grid gap-0.5 text-xs">
                <span className="text-destructive">
                  <code className="font-mono">{effect.error.code}</code> {effect.error.message}
                </span>
                {effect.error.remediation && <span className="text-muted-foreground">{effect.error.remediation}</span>}
              </p>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

function EffectLine({ effect }: { effect: EffectUndoView }) {
  return (
    <div className="flex flex-wrap items-baseline gap-x-2 gap-y-1">
      <span className="text-sm font-medium">{effect.nodeName}</span>
      <span className="text-xs text-muted-foreground">{effect.actionLabel}</span>
      <Badge variant={effect.state === "to_undo" || effect.state === "failed" ? "default" : "secondary"}>{stateLabels[effect.state]}</Badge>
      <span className="basis-full text-sm">{effect.description}</span>
      {effect.externalRef && (effect.state === "manual" || effect.state === "failed") && (
        <span className="basis-full text-xs text-muted-foreground">
          Reference <code className="font-mono break-all">{effect.externalRef}</code>
        </span>
      )}
      {effect.link && (
        <a
          href={effect.link}
          target="_blank"
          rel="noreferrer"
          className="inline-flex items-center gap-1 text-xs text-primary underline-offset-2 hover:underline"
        >
          Open it
          <ExternalLink className="size-3" aria-hidden />
        </a>
      )}
    </div>
  );
}

function EffectGroup({ title, effects }: { title: string; effects: EffectUndoView[] }) {
  if (effects.length === 0) return null;
  return (
    <div className="grid gap-2">
      <h3 className="text-sm font-semibold">{title}</h3>
      <ul className="grid gap-2">
        {effects.map((effect) => (
          <li key={effect.id} className="rounded-lg border px-3 py-2">
            <EffectLine effect={effect} />
          </li>
        ))}
      </ul>
    </div>
  );
}
