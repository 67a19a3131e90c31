"use server";

import { companyAction } from "@/lib/auth/action";
import { rotateWebhookSecret } from "@/lib/triggers/webhook";
import { z } from "zod";

const input = z.object({ workflowId: z.string().min(1).max(64) });

/** A new webhook signing secret, returned this once. */
export const rotateWebhookSecretAction = companyAction((db, caller, raw: unknown) => rotateWebhookSecret(db, caller, input.parse(raw).workflowId));
