import { FileText } from "lucide-react";
import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { EmptyState } from "@/components/ui/empty-state";

export const metadata: Metadata = { title: "Documents" };

export default function DocumentsPage() {
  return (
    <>
      <PageHeader title="Documents" description="Files your team and your workflows keep, and their signatures." />
      <EmptyState icon={<FileText aria-hidden />} title="No documents yet">
        <p>
          Upload contracts, quotes and other documents, then request signatures by email. Documents that workflows file through the Doc Manager appear here too,
          with who signed and when.
        </p>
      </EmptyState>
    </>
  );
}
