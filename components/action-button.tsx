"use client";

import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import type { VariantProps } from "class-variance-authority";
import type { ActionResult } from "@/lib/auth/action";
import { Button, type buttonVariants } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useAction } from "@/components/use-action";

type ActionButtonProps<I> = VariantProps<typeof buttonVariants> & {
  /** A server action; server pages pass it straight through with the input it needs. */
  action: (input: I) => Promise<ActionResult<unknown>>;
  input: I;
  children: ReactNode;
  "aria-label"?: string;
  success?: string;
  /** Where to go after success, for actions that end the current page (leaving a company). */
  redirectTo?: string;
  /** Ask first, for actions that cannot be undone. */
  confirm?: { title: string; description: string; confirmLabel: string };
};

/** One button that runs one server action: revoke, remove, leave, accept. */
export function ActionButton<I>({ action, input, children, success, redirectTo, confirm, variant, size, "aria-label": ariaLabel }: ActionButtonProps<I>) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const { run, pending } = useAction(action, {
    success,
    onSuccess: () => {
      setOpen(false);
      if (redirectTo) router.push(redirectTo);
    },
  });
  const button = (
    <Button variant={variant} size={size} aria-label={ariaLabel} pending={!confirm && pending} onClick={confirm ? undefined : () => run(input)}>
      {children}
    </Button>
  );
  if (!confirm) return button;
  return (
    <ConfirmDialog
      trigger={button}
      title={confirm.title}
      description={confirm.description}
      confirmLabel={confirm.confirmLabel}
      open={open}
      onOpenChange={setOpen}
      onConfirm={() => run(input)}
      pending={pending}
    />
  );
}
