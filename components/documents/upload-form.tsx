"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { toast } from "sonner";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

const MAX_BYTES = 10 * 1024 * 1024;

/** Uploads through the API (multipart, past the 1 MB limit of server actions); the server checks the type by content. */
export function UploadForm() {
  const router = useRouter();
  const form = useRef<HTMLFormElement>(null);
  const [error, setError] = useState<{ message: string; remediation?: string } | null>(null);
  const [pending, startTransition] = useTransition();

  function upload(data: FormData) {
    const file = data.get("file");
    if (!(file instanceof File) || file.size === 0) {
      setError({ message: file instanceof File && file.name ? `"${file.name}" is empty` : "Choose a file first" });
      return;
    }
    if (file.size > MAX_BYTES) {
      setError({ message: `"${file.name}" is larger than the 10 MB limit`, remediation: "Compress the PDF or split it." });
      return;
    }
    startTransition(async () => {
      const response = await fetch("/api/v1/documents", { method: "POST", body: data }).catch(() => null);
      if (!response) return setError({ message: "Could not reach Flowline", remediation: "Check your connection and try again." });
      const body = (await response.json().catch(() => null)) as { id?: string; name?: string; error?: { message: string; remediation?: string } } | null;
      if (!response.ok) return setError({ message: body?.error?.message ?? `Upload failed (HTTP ${response.status})`, remediation: body?.error?.remediation });
      setError(null);
      form.current?.reset();
      toast.success(`Uploaded ${body?.name ?? "the document"}`);
      router.push(`/documents/${body?.id}`);
    });
  }

  return (
    <form
      ref={form}
      aria-label="Upload a document"
      className="grid gap-3 rounded-xl border bg-card p-4 sm:grid-cols-[1fr_12rem_12rem_auto] sm:items-end"
      onSubmit={(event) => {
        event.preventDefault();
        upload(new FormData(event.currentTarget));
      }}
    >
      <div className="grid gap-2">
        <Label htmlFor="upload-file">File (PDF or image, up to 10 MB)</Label>
        <Input id="upload-file" name="file" type="file" accept="application/pdf,image/png,image/jpeg,image/webp,image/gif" className="py-1.5" required />
      </div>
      <div className="grid gap-2">
        <Label htmlFor="upload-folder">Folder</Label>
        <Input id="upload-folder" name="folder" placeholder="Contracts" maxLength={200} />
      </div>
      <div className="grid gap-2">
        <Label htmlFor="upload-tags">Tags</Label>
        <Input id="upload-tags" name="tags" placeholder="supplier, 2026" maxLength={500} />
      </div>
      <Button type="submit" pending={pending}>
        Upload
      </Button>
      {error && (
        <Alert tone="error" className="sm:col-span-4">
          <p>{error.message}</p>
          {error.remediation && <p>{error.remediation}</p>}
        </Alert>
      )}
    </form>
  );
}
