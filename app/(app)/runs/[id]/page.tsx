import { ArrowLeft } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { hasRole } from "@/lib/auth/roles";
import { pageCaller } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { catalog } from "@/lib/catalog";
import { getRun } from "@/lib/workflow/runs";
import { previewUndo } from "@/lib/workflow/undo";
import { LiveRun } from "@/components/runs/live-run";

type PageProps = { params: Promise<{ id: string }> };

// Called by generateMetadata and the page; cache() makes that one load per request.
const loadRun = cache(async (id: string) => {
  const caller = await pageCaller();
  try {
    return { caller, run: await getRun(await getDb(), caller, id) };
  } catch (error) {
    // Another company's run is not found either, so a guessed id reveals nothing.
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
});

export async function generateMetadata({ params }: PageProps): Promise<Metadata> {
  const { run } = await loadRun((await params).id);
  return { title: `Run of ${run.workflowName}` };
}

export default async function RunPage({ params }: PageProps) {
  const { caller, run } = await loadRun((await params).id);
  const canManage = hasRole(caller.role, "admin");
  const undo = canManage ? await previewUndo(await getDb(), catalog, caller, run.id) : null;
  return (
    <>
      <Link href="/runs" className="mb-4 inline-flex items-center gap-1.5 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden />
        Runs
      </Link>
      <LiveRun initial={run} canManage={canManage} undo={undo} />
    </>
  );
}
