import { FileText } from "lucide-react";
import type { Metadata } from "next";
import Form from "next/form";
import Link from "next/link";
import { DocumentStatusBadge } from "@/components/documents/status-badge";
import { UploadForm } from "@/components/documents/upload-form";
import { formatDateTime, relativeTime } from "@/components/format";
import { PageHeader } from "@/components/page-header";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { pageCaller } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { documentFacets, listDocuments } from "@/lib/documents/documents";
import { documentStatuses, listDocumentsSchema, statusLabels } from "@/lib/documents/schemas";

export const metadata: Metadata = { title: "Documents" };

type SearchParams = Record<string, string | string[] | undefined>;

/** The filters in the address; a value the API would refuse (an edited link) is ignored, not an error. */
function filtersOf(params: SearchParams) {
  const single = (value: string | string[] | undefined) => (typeof value === "string" && value !== "" ? value : undefined);
  const { shape } = listDocumentsSchema;
  return {
    q: shape.q.safeParse(single(params.q)).data,
    folder: shape.folder.safeParse(single(params.folder)).data,
    tag: shape.tag.safeParse(single(params.tag)).data,
    status: shape.status.safeParse(single(params.status)).data,
    cursor: shape.cursor.safeParse(single(params.cursor)).data,
  };
}

export default async function DocumentsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const filters = filtersOf(await searchParams);
  const caller = await pageCaller();
  const db = await getDb();
  const [{ documents, nextCursor }, facets] = await Promise.all([listDocuments(db, caller, filters), documentFacets(db, caller)]);
  const filtered = Boolean(filters.q || filters.folder || filters.tag || filters.status);
  const header = <PageHeader title="Documents" description="Files your team and your workflows keep, and their signatures." />;

  if (documents.length === 0 && !filtered && !filters.cursor) {
    return (
      <>
        {header}
        <div className="grid gap-6">
          <UploadForm />
          <EmptyState icon={<FileText aria-hidden />} title="No documents yet">
            <p>
              Upload contracts, quotes and other documents, then request signatures by email. Documents that workflows file through the Doc Manager appear here
              too, with who signed and when.
            </p>
          </EmptyState>
        </div>
      </>
    );
  }

  const next = new URLSearchParams(Object.entries({ ...filters, cursor: nextCursor ?? undefined }).filter((e): e is [string, string] => Boolean(e[1])));
  return (
    <>
      {header}
      <div className="grid gap-4">
        <UploadForm />
        <Form action="/documents" role="search" aria-label="Filter documents" className="flex flex-wrap items-end gap-3">
          <div className="grid gap-2">
            <Label htmlFor="documents-q">Search</Label>
            <Input id="documents-q" name="q" type="search" defaultValue={filters.q ?? ""} placeholder="Name" className="w-52" />
          </div>
          <div className="grid gap-2">
            <Label htmlFor="documents-folder">Folder</Label>
            <Select id="documents-folder" name="folder" defaultValue={filters.folder ?? ""}>
              <option value="">Any folder</option>
              {facets.folders.map((folder) => (
                <option key={folder}>{folder}</option>
              ))}
            </Select>
          </div>
          <div className="grid gap-2">
            <Label htmlFor="documents-tag">Tag</Label>
            <Select id="documents-tag" name="tag" defaultValue={filters.tag ?? ""}>
              <option value="">Any tag</option>
              {facets.tags.map((tag) => (
                <option key={tag}>{tag}</option>
              ))}
            </Select>
          </div>
          <div className="grid gap-2">
            <Label htmlFor="documents-status">Status</Label>
            <Select id="documents-status" name="status" defaultValue={filters.status ?? ""}>
              <option value="">Any but archived</option>
              {documentStatuses.map((status) => (
                <option key={status} value={status}>
                  {statusLabels[status]}
                </option>
              ))}
            </Select>
          </div>
          <Button type="submit" variant="outline">
            Filter
          </Button>
          {filtered && (
            <Button asChild variant="ghost">
              <Link href="/documents">Clear filters</Link>
            </Button>
          )}
        </Form>
        {documents.length === 0 ? (
          <p className="rounded-lg border border-dashed px-4 py-8 text-center text-sm text-muted-foreground">No documents match these filters.</p>
        ) : (
          <Table>
            <TableCaption>Documents of this company, newest first</TableCaption>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="hidden md:table-cell">Folder</TableHead>
                <TableHead className="hidden md:table-cell">Tags</TableHead>
                <TableHead className="hidden sm:table-cell">Uploaded</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {documents.map((document) => (
                <TableRow key={document.id}>
                  <TableCell className="max-w-72 [overflow-wrap:anywhere]">
                    <Link href={`/documents/${document.id}`} className="font-medium underline-offset-2 hover:underline">
                      {document.name}
                    </Link>
                  </TableCell>
                  <TableCell>
                    <DocumentStatusBadge status={document.status} />
                  </TableCell>
                  <TableCell className="hidden md:table-cell">{document.folder ?? "—"}</TableCell>
                  <TableCell className="hidden md:table-cell">{document.tags.join(", ") || "—"}</TableCell>
                  <TableCell className="hidden sm:table-cell">
                    <time dateTime={document.createdAt} title={formatDateTime(new Date(document.createdAt))}>
                      {relativeTime(new Date(document.createdAt))}
                    </time>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {nextCursor && (
          <nav aria-label="Pages of documents" className="flex justify-end">
            <Button asChild variant="outline">
              <Link href={`/documents?${next}`}>Older documents</Link>
            </Button>
          </nav>
        )}
      </div>
    </>
  );
}
