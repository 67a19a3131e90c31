import { z } from "zod";
import { documentCompletedTrigger, documentDeclinedTrigger, documentExpiredTrigger } from "@/lib/triggers/document-events";
import type { Integration } from "@/lib/integrations/types";
import { docManagerClient, mapDocManagerError, type DocManagerClient } from "./client";
import { requestSignature } from "./request-signature";
import { archiveDocument, updateStatus } from "./update-status";
import { uploadDocument } from "./upload-document";

// Flowline's own Doc Manager as an integration with nothing to connect (auth.builtin): its
// actions are node types like any provider's, their effects go into the RunEffect ledger through
// execute.ts, and undo (delete, cancel, restore the status) goes through undoEffect.

const noKeyMaterial = () => {
  throw new Error("The Doc Manager is built in: it has no connection");
};

export const docManager: Integration<DocManagerClient> = {
  id: "docmanager",
  name: "Doc Manager",
  description: "File documents and collect e-signatures; continue when they are signed.",
  categories: ["documents"],
  env: z.object({}),
  auth: { builtin: { kind: "builtin", client: docManagerClient } },
  createClient: noKeyMaterial,
  testConnection: async () => ({ displayName: "Flowline", accountId: "builtin" }),
  mapError: mapDocManagerError,
  actions: [uploadDocument, requestSignature, updateStatus, archiveDocument],
  triggers: [documentCompletedTrigger, documentDeclinedTrigger, documentExpiredTrigger],
};
