import { handle } from "@/lib/api/operation";
import { getCatalogOp } from "@/lib/api/operations";
import { catalog, describeCatalog } from "@/lib/catalog";

export const dynamic = "force-dynamic";

export const GET = handle(getCatalogOp, async () => describeCatalog(catalog));
