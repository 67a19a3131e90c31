"use client";

import { Play } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { startRunAction } from "@/app/(app)/runs/actions";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { useAction } from "@/components/use-action";
import { JsonField } from "@/components/workflows/json-field";
import { parseJsonText } from "@/components/workflows/json-text";
import { useDraftBridge } from "@/components/workflows/unsaved-draft";

/** "Run now": the manual trigger, with an optional JSON payload, on the published version or the draft, or as a dry run. */
export function RunNowDialog({ workflowId, published }: { workflowId: string; published: boolean }) {
  const [open, setOpen] = useState(false);
  const router = useRouter();
  const [payload, setPayload] = useState("{}");
  const [payloadError, setPayloadError] = useState<string | undefined>();
  const draft = useDraftBridge();
  const { run, pending } = useAction(startRunAction, {
    success: (data) => (data.run.dryRun ? "Dry run started" : "Run started"),
    onSuccess: (data) => router.push(`/runs/${data.run.id}`),
  });
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button>
          <Play aria-hidden />
          Run now
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Run now</DialogTitle>
          <DialogDescription>
            Starts a run with this payload as {"{{trigger.payload}}"}. A dry run shows the path and what each step would do, without side effects.
          </DialogDescription>
        </DialogHeader>
        <form
          noValidate
          className="grid gap-4"
          onSubmit={async (event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            const parsed = parseJsonText(payload);
            if (!parsed.ok) return setPayloadError(parsed.message);
            setPayloadError(undefined);
            const mode = String(form.get("mode"));
            // A test or dry run takes the saved draft: save what the editor shows first.
            if (mode !== "published" && !(await draft.flush())) return;
            run({ workflowId, options: { payload: parsed.value, version: mode === "published" ? "published" : "draft", dryRun: mode === "dry" } });
          }}
        >
          <div className="grid gap-2">
            <Label htmlFor="run-mode">What to run</Label>
            <Select id="run-mode" name="mode" defaultValue={published ? "published" : "draft"}>
              {published && <option value="published">The published version</option>}
              <option value="draft">The draft (a test run)</option>
              <option value="dry">A dry run of the draft (no side effects)</option>
            </Select>
          </div>
          <JsonField label="Payload (JSON)" name="payload" value={payload} onChange={setPayload} error={payloadError} />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" pending={pending}>
              Start run
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
