import { headers } from "next/headers";
import { clientAddress } from "@/lib/auth/client-address";
import type { StoredFile } from "@/lib/files/store";
import type { SigningClient } from "./signing";

// What the app's routes and actions hand lib/documents from a request: who is at the other end
// (for the audit trail), and a stored file as a download.

export function clientOf(headers: Headers): SigningClient {
  return { ip: clientAddress(headers), userAgent: headers.get("user-agent")?.slice(0, 500) ?? null };
}

/** The file as a response: its sniffed content type, an attachment unless asked inline, never sniffed again by the browser. */
export function fileResponse(file: StoredFile, inline: boolean): Response {
  const disposition = `${inline ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(file.filename)}`;
  return new Response(Buffer.from(file.bytes), {
    headers: {
      "content-type": file.contentType,
      "content-length": String(file.size),
      "content-disposition": disposition,
      "cache-control": "private, no-store",
      "x-content-sha256": file.sha256,
    },
  });
}

/** The current request's headers in a page or server action; none outside a request (the CLI, tests). */
export async function requestHeaders(): Promise<Headers> {
  try {
    return new Headers(await headers());
  } catch {
    return new Headers();
  }
}
