import { Compass } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { CenteredPage } from "@/components/centered-page";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export const metadata: Metadata = { title: "Page not found" };

/** Any address that is not a page: say so in the app's own frame, with the ways back. */
export default function NotFound() {
  return (
    <CenteredPage>
      <EmptyState
        icon={<Compass aria-hidden />}
        title="Page not found"
        action={
          <>
            <Button asChild>
              <Link href="/workflows">Go to workflows</Link>
            </Button>
            <Button asChild variant="outline">
              <Link href="/">Home</Link>
            </Button>
          </>
        }
      >
        <p>There is nothing at this address. Check the link, or start again from your workflows.</p>
      </EmptyState>
    </CenteredPage>
  );
}
