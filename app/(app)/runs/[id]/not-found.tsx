import { Play } from "lucide-react";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export default function RunNotFound() {
  return (
    <EmptyState
      icon={<Play aria-hidden />}
      title="Run not found"
      action={
        <Button asChild variant="outline">
          <Link href="/runs">Go to runs</Link>
        </Button>
      }
    >
      <p>The link may be wrong, or the run belongs to another company than the one you are working in.</p>
    </EmptyState>
  );
}
