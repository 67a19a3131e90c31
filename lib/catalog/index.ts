import { approvalNodeType } from "@/lib/workflow/control/approval";
import { ifNodeType } from "@/lib/workflow/control/if";
import { loopNodeType } from "@/lib/workflow/control/loop";
import { noopNodeType } from "@/lib/workflow/control/noop";
import { waitNodeType } from "@/lib/workflow/control/wait";
import { documentCompletedTrigger } from "@/lib/triggers/document-completed";
import { emailInboundTrigger } from "@/lib/triggers/email-inbound";
import { manualTrigger } from "@/lib/triggers/manual";
import { scheduleTrigger } from "@/lib/triggers/schedule";
import { webhookTrigger } from "@/lib/triggers/webhook";
import { createCatalog, type CatalogLists } from "./catalog";
import { providers } from "./providers";

// What exists: every node type, trigger type and provider, from static lists. Validation, the
// engine, the API and the UI are handed this object; nothing registers itself by being imported.
// A new control node is one file in lib/workflow/control and one line below; a new provider is
// one folder in lib/integrations and one line in ./providers.ts.

export const catalogLists: CatalogLists = {
  nodeTypes: [ifNodeType, loopNodeType, waitNodeType, approvalNodeType, noopNodeType],
  triggerTypes: [manualTrigger, webhookTrigger, scheduleTrigger, emailInboundTrigger, documentCompletedTrigger],
  providers,
};

export const catalog = createCatalog(catalogLists);

export { createCatalog, type Catalog, type CatalogLists } from "./catalog";
export { describeCatalog } from "./describe";
