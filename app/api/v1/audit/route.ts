import { handle } from "@/lib/api/operation";
import { listAuditOp } from "@/lib/api/operations";
import { listAuditLog } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const GET = handle(listAuditOp, ({ db, caller, query }) => listAuditLog(db, caller, query));
