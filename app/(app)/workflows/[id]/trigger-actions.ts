"use server";

import { companyAction } from "@/lib/auth/action";
import { catalog } from "@/lib/catalog";
import { emitTestEvent, listenForTestEvent, sendTestEmail, testEventStatus } from "@/lib/triggers/test-events";
import { rotateWebhookSecret } from "@/lib/triggers/webhook";
import { z } from "zod";

const input = z.object({ workflowId: z.string().min(1).max(64) });

/** A new webhook signing secret, returned this once. */
export const rotateWebhookSecretAction = companyAction((db, caller, raw: unknown) => rotateWebhookSecret(db, caller, input.parse(raw).workflowId));

/** The next call to the webhook URL (within 5 minutes) becomes the sample payload and starts no run. */
export const listenForTestEventAction = companyAction((db, caller, raw: unknown) => listenForTestEvent(db, caller, input.parse(raw).workflowId));

/** Whether it still listens, and the sample captured so far. */
export const testEventStatusAction = companyAction((db, caller, raw: unknown) => testEventStatus(db, caller, input.parse(raw).workflowId));

/** A document.completed test event with the sample payload: it starts runs as a real one would. */
export const emitTestEventAction = companyAction((db, caller, raw: unknown) => emitTestEvent(db, catalog, caller, input.parse(raw).workflowId));

/** Sandbox only: the fake Resend receives an email for the workflow's address and sends the app its webhook. */
export const sendTestEmailAction = companyAction((db, caller, raw: unknown) => sendTestEmail(db, caller, input.parse(raw).workflowId));
