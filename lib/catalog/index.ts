import { approvalNodeType } from "@/lib/workflow/control/approval";
import { ifNodeType } from "@/lib/workflow/control/if";
import { loopNodeType } from "@/lib/workflow/control/loop";
import { noopNodeType } from "@/lib/workflow/control/noop";
import { waitNodeType } from "@/lib/workflow/control/wait";
import { emailInboundTrigger } from "@/lib/triggers/email-inbound";
import { manualTrigger } from "@/lib/triggers/manual";
import { scheduleTrigger } from "@/lib/triggers/schedule";
import { webhookTrigger } from "@/lib/triggers/webhook";
import { docManager } from "@/lib/integrations/docmanager";
import { waitForSignatureNodeType } from "@/lib/documents/wait-node";
import { createCatalog, type CatalogLists } from "./catalog";
import { providers } from "./providers";

// What exists: every node type, trigger type and provider, from static lists. Validation, the
// engine, the API and the UI are handed this object; nothing registers itself by being imported.
// A new control node is one file in lib/workflow/control and one line below; a new provider is
// one folder in lib/integrations and one line in ./providers.ts. The Doc Manager is Flowline's own
// app with no env of its own: it is listed here, not in ./providers.ts, because lib/documents needs
// the env that ./providers.ts feeds (lib/config/env.ts merges each listed provider's variables).

export const catalogLists: CatalogLists = {
  nodeTypes: [ifNodeType, loopNodeType, waitNodeType, approvalNodeType, noopNodeType, waitForSignatureNodeType],
  triggerTypes: [manualTrigger, webhookTrigger, scheduleTrigger, emailInboundTrigger],
  providers: [...providers, docManager],
};

export const catalog = createCatalog(catalogLists);

export { createCatalog, type Catalog, type CatalogLists } from "./catalog";
export { describeCatalog } from "./describe";
