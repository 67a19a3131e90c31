import { handle } from "@/lib/api/operation";
import { downloadDocumentOp } from "@/lib/api/operations";
import { documentFile } from "@/lib/documents/documents";
import { fileResponse } from "@/lib/documents/http";

export const dynamic = "force-dynamic";

// Authorized on every request: the caller's company must own the document.
export const GET = handle(downloadDocumentOp, async ({ db, caller, params, query }) =>
  fileResponse(await documentFile(db, caller, params.id, query.version), query.inline === "1"),
);
