"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { chooseAccountAction, listAccountsAction } from "@/app/(app)/settings/integrations/actions";
import type { AccountChoices } from "@/lib/integrations/connections";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { useAction } from "@/components/use-action";

type AccountDialogProps = { connectionId: string; connectionName: string; appName: string; noun: string; openOnLoad: boolean };

/**
 * Chooses which account of its authorization a connection acts for (the Fatture in Cloud
 * company). Opens by itself after an OAuth round trip that found several (?choose=<connection>).
 */
export function AccountDialog({ connectionId, connectionName, appName, noun, openOnLoad }: AccountDialogProps) {
  const router = useRouter();
  const pathname = usePathname();
  const [open, setOpen] = useState(openOnLoad);
  const [choices, setChoices] = useState<AccountChoices | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const load = useAction(listAccountsAction, {
    onSuccess: (data: AccountChoices) => {
      setChoices(data);
      // A choice made while the list loaded stands.
      setSelected((picked) => picked ?? data.current);
    },
  });
  const choose = useAction(chooseAccountAction, {
    success: (data: { displayName: string }) => `${appName} now acts for ${data.displayName}`,
    onSuccess: () => setOpen(false),
  });

  function show(next: boolean) {
    setOpen(next);
    if (!next) return;
    // The list of the last opening may be stale: it is not offered until the fresh one arrives.
    setChoices(null);
    setSelected(null);
    load.run({ id: connectionId });
  }
  useEffect(() => {
    if (!openOnLoad) return;
    load.run({ id: connectionId });
    router.replace(pathname, { scroll: false });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, for the redirect that asked
  }, [openOnLoad]);

  return (
    <Dialog open={open} onOpenChange={show}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm" aria-label={`Choose the ${noun} of ${connectionName}`}>
          Switch {noun}
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>
            Choose the {appName} {noun}
          </DialogTitle>
          <DialogDescription>Steps using this connection create and read documents in the {noun} you choose. You can switch later.</DialogDescription>
        </DialogHeader>
        {!choices ? (
          <p className="text-sm text-muted-foreground">{load.pending ? `Loading the ${noun}s…` : " "}</p>
        ) : (
          <fieldset className="grid gap-2">
            <legend className="sr-only">{noun}</legend>
            {choices.accounts.map((account) => (
              <label key={account.accountId} className="flex cursor-pointer items-start gap-3 rounded-lg border px-3 py-2 has-[:checked]:border-primary">
                <input
                  type="radio"
                  name="account"
                  value={account.accountId}
                  checked={selected === account.accountId}
                  onChange={() => setSelected(account.accountId)}
                  className="mt-1"
                />
                <span className="grid">
                  <span className="font-medium">{account.displayName}</span>
                  <span className="text-xs text-muted-foreground">
                    <span className="font-mono">{account.accountId}</span>
                    {account.details?.vat && ` · ${account.details.vat}`}
                    {account.accountId === choices.current && " · current"}
                  </span>
                </span>
              </label>
            ))}
          </fieldset>
        )}
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline">Cancel</Button>
          </DialogClose>
          <Button pending={choose.pending} disabled={!selected} onClick={() => selected && choose.run({ id: connectionId, accountId: selected })}>
            Use this {noun}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
