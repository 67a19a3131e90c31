import { handle } from "@/lib/api/operation";
import { listOptionsOp } from "@/lib/api/operations";
import { catalog } from "@/lib/catalog";
import { loadOptions } from "@/lib/integrations/options";

export const dynamic = "force-dynamic";

export const GET = handle(listOptionsOp, async ({ db, caller, query }) => loadOptions(db, caller, query, catalog));
