"use client";

import { signOut } from "next-auth/react";
import { Button } from "@/components/ui/button";

/** For the pages outside the app shell, where there is no account menu. */
export function SignOutButton({ callbackUrl = "/signin" }: { callbackUrl?: string }) {
  return (
    <Button variant="link" className="h-auto p-0" onClick={() => signOut({ callbackUrl })}>
      Sign out
    </Button>
  );
}
