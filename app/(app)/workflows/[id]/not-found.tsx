import { Workflow } from "lucide-react";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export default function WorkflowNotFound() {
  return (
    <EmptyState
      icon={<Workflow aria-hidden />}
      title="Workflow not found"
      action={
        <Button asChild variant="outline">
          <Link href="/workflows">Go to workflows</Link>
        </Button>
      }
    >
      <p>It may have been deleted, or it belongs to another company than the one you are working in.</p>
    </EmptyState>
  );
}
