import { Play } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return (
    <>
      <PageHeader title="Runs" description="Every time a workflow runs, step by step." />
      <EmptyState
        icon={<Play aria-hidden />}
        title="No runs yet"
        action={
          <Button asChild variant="outline">
            <Link href="/workflows">Go to workflows</Link>
          </Button>
        }
      >
        <p>Runs appear here when a workflow starts, with each step&apos;s input, output and timing, so you can see what happened and why.</p>
      </EmptyState>
    </>
  );
}
