import { fileTypeFromBuffer } from "file-type";
import { AppError } from "@/lib/errors";
import { documentLimits } from "./schemas";

// What an upload must be before anything is stored: a PDF or a common image by its content (the
// name and the declared type are the sender's word, not evidence), not empty, under the cap, with
// a plain file name. Every refusal is a 4xx that says what to do.

export const acceptedTypes: Record<string, string> = {
  "application/pdf": "PDF",
  "image/png": "PNG image",
  "image/jpeg": "JPEG image",
  "image/webp": "WebP image",
  "image/gif": "GIF image",
};
const MAX_MB = documentLimits.maxBytes / 1024 / 1024;

export const tooLarge = (size?: number) =>
  new AppError("payload_too_large", `The file is larger than the ${MAX_MB} MB limit${size ? ` (${(size / 1024 / 1024).toFixed(1)} MB)` : ""}`, {
    remediation: `Upload a file under ${MAX_MB} MB: compress the PDF or split it.`,
    issues: [{ path: ["file"], message: `At most ${MAX_MB} MB` }],
  });

/** The file name as given, refused when it is empty or carries path separators or control characters. */
export function checkFileName(name: string): string {
  const trimmed = name.trim();
  const problem =
    trimmed.length === 0
      ? "The file has no name"
      : trimmed.length > documentLimits.maxNameLength
        ? `The file name is longer than ${documentLimits.maxNameLength} characters`
        : /[/\\]/.test(trimmed)
          ? "The file name contains a path separator (/ or \\)"
          : /[\u0000-\u001f\u007f]/.test(trimmed) || trimmed === "." || trimmed === ".."
            ? "The file name contains characters a file name cannot have"
            : null;
  if (problem)
    throw new AppError("validation_failed", problem, {
      remediation: "Rename the file (e.g. contract.pdf) and upload it again.",
      issues: [{ path: ["file", "name"], message: problem }],
    });
  return trimmed;
}

/** The content type the bytes really have, or a 422 naming what was expected. */
export async function sniffContentType(bytes: Uint8Array, name: string): Promise<string> {
  if (bytes.length === 0)
    throw new AppError("validation_failed", "The file is empty", {
      remediation: "Choose the file again; it has 0 bytes.",
      issues: [{ path: ["file"], message: "Empty" }],
    });
  if (bytes.length > documentLimits.maxBytes) throw tooLarge(bytes.length);
  const found = await fileTypeFromBuffer(bytes);
  if (!found || !acceptedTypes[found.mime]) {
    const claimed = /\.pdf$/i.test(name) ? " though its name ends in .pdf" : "";
    const what = found ? `a ${found.ext.toUpperCase()} file` : "not a PDF or an image";
    const message = `"${name}" is ${what}${claimed}`;
    throw new AppError("validation_failed", message, {
      remediation: `Upload a ${Object.values(acceptedTypes).join(", ")}.`,
      issues: [{ path: ["file"], message }],
    });
  }
  return found.mime;
}

/** Multipart overhead allowed beyond the file itself (boundaries, the other fields). */
const FORM_OVERHEAD_BYTES = 256 * 1024;

/**
 * Reads a multipart upload (fields: file, and optionally folder and tags) within the cap: a
 * declared Content-Length over it is refused before reading, a body that grows past it is cut off.
 */
export async function readUpload(request: Request): Promise<{ filename: string; bytes: Uint8Array; folder: string | null; tags: string[] }> {
  const limit = documentLimits.maxBytes + FORM_OVERHEAD_BYTES;
  const declared = Number(request.headers.get("content-length"));
  if (declared > limit) throw tooLarge(declared);
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("multipart/form-data"))
    throw new AppError("bad_request", "Send the file as multipart/form-data with a field named file", { remediation: 'e.g. curl -F "file=@contract.pdf" …' });
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(size);
    }
    chunks.push(value);
  }
  let form: FormData;
  try {
    form = await new Response(Buffer.concat(chunks), { headers: { "content-type": type } }).formData();
  } catch {
    throw new AppError("bad_request", "The multipart body could not be read", { remediation: "Send the file as multipart/form-data with a field named file." });
  }
  const file = form.get("file");
  if (!(file instanceof File))
    throw new AppError("validation_failed", "No file in the upload", {
      issues: [{ path: ["file"], message: "Required" }],
      remediation: "Send the file in a field named file.",
    });
  const folder = form.get("folder");
  const tags = form
    .getAll("tags")
    .flatMap((t) => (typeof t === "string" ? t.split(",") : []))
    .map((t) => t.trim())
    .filter(Boolean);
  return {
    filename: file.name,
    bytes: new Uint8Array(await file.arrayBuffer()),
    folder: typeof folder === "string" && folder.trim() ? folder.trim() : null,
    tags,
  };
}
