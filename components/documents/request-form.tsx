"use client";

import { Plus, X } from "lucide-react";
import { useState } from "react";
import { requestSignatureAction } from "@/app/(app)/documents/actions";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { useAction } from "@/components/use-action";

type SignerRow = { name: string; email: string };

/** Signers (in order or all at once), a message, expiry and reminders; each signer gets an email with a link. */
export function RequestSignatureForm({ documentId }: { documentId: string }) {
  const [signers, setSigners] = useState<SignerRow[]>([{ name: "", email: "" }]);
  const [order, setOrder] = useState<"parallel" | "sequential">("parallel");
  const [message, setMessage] = useState("");
  const [expiresInDays, setExpires] = useState(14);
  const [remind, setRemind] = useState("");
  const { run, pending, fieldErrors } = useAction(requestSignatureAction, { success: "Sent for signature" });
  const set = (index: number, patch: Partial<SignerRow>) => setSigners((rows) => rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));

  return (
    <form
      aria-label="Request signatures"
      className="grid gap-4"
      onSubmit={(event) => {
        event.preventDefault();
        run({ id: documentId, signers, order, message: message || undefined, expiresInDays, remindEveryHours: remind ? Number(remind) : null });
      }}
    >
      <fieldset className="grid gap-2">
        <legend className="mb-1 text-sm font-medium">Signers</legend>
        {signers.map((signer, index) => (
          <div key={index} className="grid gap-2 sm:grid-cols-[1fr_1fr_auto]">
            <Input
              aria-label={`Signer ${index + 1} name`}
              placeholder="Name"
              value={signer.name}
              onChange={(e) => set(index, { name: e.target.value })}
              required
              maxLength={200}
            />
            <Input
              aria-label={`Signer ${index + 1} email`}
              placeholder="email@example.com"
              type="email"
              value={signer.email}
              onChange={(e) => set(index, { email: e.target.value })}
              required
              maxLength={320}
            />
            <Button
              variant="ghost"
              size="icon"
              aria-label={`Remove signer ${index + 1}`}
              disabled={signers.length === 1}
              onClick={() => setSigners((rows) => rows.filter((_, i) => i !== index))}
            >
              <X aria-hidden />
            </Button>
          </div>
        ))}
        {fieldErrors.signers && <p className="text-xs text-destructive">{fieldErrors.signers}</p>}
        <Button
          variant="outline"
          size="sm"
          className="w-fit"
          onClick={() => setSigners((rows) => [...rows, { name: "", email: "" }])}
          disabled={signers.length >= 20}
        >
          <Plus aria-hidden /> Add signer
        </Button>
      </fieldset>
      <div className="grid gap-3 sm:grid-cols-3">
        <div className="grid gap-2">
          <Label htmlFor="request-order">Order</Label>
          <Select id="request-order" value={order} onChange={(e) => setOrder(e.target.value as "parallel" | "sequential")}>
            <option value="parallel">All at once</option>
            <option value="sequential">One after another</option>
          </Select>
        </div>
        <div className="grid gap-2">
          <Label htmlFor="request-expires">Expires after (days)</Label>
          <Input id="request-expires" type="number" min={1} max={90} value={expiresInDays} onChange={(e) => setExpires(Number(e.target.value))} />
        </div>
        <div className="grid gap-2">
          <Label htmlFor="request-remind">Remind every (hours)</Label>
          <Input id="request-remind" type="number" min={1} max={720} placeholder="No reminders" value={remind} onChange={(e) => setRemind(e.target.value)} />
        </div>
      </div>
      <div className="grid gap-2">
        <Label htmlFor="request-message">Message</Label>
        <textarea
          id="request-message"
          className="min-h-20 rounded-md border border-input bg-background px-3 py-2 text-sm"
          value={message}
          maxLength={5000}
          onChange={(e) => setMessage(e.target.value)}
        />
      </div>
      <Button type="submit" pending={pending} className="w-fit">
        Send for signature
      </Button>
    </form>
  );
}
