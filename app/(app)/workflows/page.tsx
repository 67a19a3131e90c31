import { KeyRound, Workflow } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export const metadata: Metadata = { title: "Workflows" };

export default function WorkflowsPage() {
  return (
    <>
      <PageHeader title="Workflows" description="Automations that run when something happens in your tools." />
      <EmptyState
        icon={<Workflow aria-hidden />}
        title="No workflows yet"
        action={
          <Button asChild variant="outline">
            <Link href="/settings/api-keys">
              <KeyRound aria-hidden />
              Go to API keys
            </Link>
          </Button>
        }
      >
        <p>
          A workflow connects a trigger (an email arriving, a webhook call, a schedule) to actions in Slack, Fatture in Cloud and the Doc
          Manager.
        </p>
        <p>
          You will build them here once the workflow editor arrives. Meanwhile, import workflows through the API at{" "}
          <code className="rounded bg-muted px-1 py-0.5 font-mono text-xs text-foreground">/api/v1</code> with an API key from{" "}
          <Link href="/settings/api-keys" className="font-medium text-primary underline-offset-4 hover:underline">
            Settings &gt; API keys
          </Link>
          .
        </p>
      </EmptyState>
    </>
  );
}
