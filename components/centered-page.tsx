import type { ReactNode } from "react";
import { Brand } from "@/components/brand";

/** The frame of the pages outside the app: sign in, sign up, onboarding, invites. */
export function CenteredPage({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col items-center justify-center bg-muted/40 px-4 py-10">
      <header className="mb-8 flex flex-col items-center gap-2 text-center">
        <Brand className="text-xl" />
        <p className="text-sm text-muted-foreground">Automate the work between your tools, step by step.</p>
      </header>
      <main className="w-full max-w-sm">{children}</main>
    </div>
  );
}
