import { handle } from "@/lib/api/operation";
import { rotateWebhookSecretOp } from "@/lib/api/operations";
import { rotateWebhookSecret } from "@/lib/triggers/webhook";

export const dynamic = "force-dynamic";

export const POST = handle(rotateWebhookSecretOp, async ({ db, caller, params }) => rotateWebhookSecret(db, caller, params.id));
