import { z } from "zod";
import { cancelRequest, requestSignature as sendForSignature } from "@/lib/documents/signing";
import { documentLimits, signerInputSchema } from "@/lib/documents/schemas";
import { formattedString, valueOrExpression } from "@/lib/integrations/fields";
import { defineAction } from "@/lib/integrations/types";
import type { DocManagerClient } from "./client";
import { docRateLimit, documentIdField } from "./shared";

// Sends a document for signature: each signer gets an email with their link. To continue only
// when it ends, follow it with "Await signatures" (docmanager.wait_for_signature), which takes
// the completed, declined, expired, cancelled or timeout branch.

// A signer's fields may be {{…}} (checked as an email once resolved, in execute).
const signerField = z.object({ name: z.string().trim().min(1, "Name the signer").max(200), email: formattedString(z.email(), "Not an email address") });

const config = z.object({
  documentId: documentIdField,
  signers: valueOrExpression(z.array(signerField).min(1).max(documentLimits.maxSigners)).meta({
    ui: { label: "Signers", widget: "json", help: 'e.g. [{"name": "Ada Lovelace", "email": "{{trigger.payload.email}}"}]' },
  }),
  order: z
    .enum(["parallel", "sequential"])
    .default("parallel")
    .meta({
      ui: {
        label: "Order",
        widget: "select",
        choices: [
          { value: "parallel", label: "All at once" },
          { value: "sequential", label: "One after another" },
        ],
      },
    }),
  message: z
    .string()
    .max(5000)
    .optional()
    .meta({ ui: { label: "Message", widget: "multiline" } }),
  expiresInDays: z
    .int()
    .min(1)
    .max(documentLimits.maxExpiryDays)
    .default(14)
    .meta({ ui: { label: "Expires after (days)", widget: "number" } }),
  remindEveryHours: z
    .int()
    .min(1)
    .max(720)
    .optional()
    .meta({ ui: { label: "Remind every (hours)", widget: "number", advanced: true } }),
});

const output = z.object({
  requestId: z.string(),
  documentId: z.string(),
  status: z.literal("pending"),
  signers: z.array(z.object({ id: z.string(), name: z.string(), email: z.string(), status: z.string() })),
});

export const requestSignature = defineAction<DocManagerClient, typeof config, typeof output>({
  id: "request_signature",
  name: "Request signature",
  description: "Emails each signer a personal signing link for a document; follow it with Await signatures to continue when it is signed.",
  config,
  example: {
    documentId: "{{step.upload.output.documentId}}",
    signers: [{ name: "Ada Lovelace", email: "ada@example.com" }],
    order: "parallel",
    expiresInDays: 14,
  },
  output,
  effectful: true,
  // The request carries the step's key: a repeat finds it instead of emailing the signers twice.
  idempotency: "provider_key",
  undo: {
    strategy: "api_update",
    async run(ctx, requestId) {
      await cancelRequest(ctx.client.db, ctx.client.actor(), { requestId }).catch((error: unknown) => {
        // A request already gone with its document is undone.
        if ((error as { code?: string }).code !== "not_found") throw error;
      });
    },
  },
  externalRef: (out) => out.requestId,
  rateLimit: docRateLimit,
  preview: (input) => ({
    requestId: "sig_preview",
    documentId: input.documentId,
    status: "pending",
    signers: Array.isArray(input.signers) ? input.signers.map((s, i) => ({ id: `signer_${i}`, name: s.name, email: s.email, status: "pending" })) : [],
  }),
  async execute(ctx, input) {
    const signers = z.array(signerInputSchema).parse(input.signers);
    const created = await sendForSignature(ctx.client.db, ctx.client.actor(ctx.idempotencyKey), input.documentId, {
      signers,
      order: input.order,
      message: input.message,
      expiresInDays: input.expiresInDays,
      remindEveryHours: input.remindEveryHours ?? null,
    });
    return { requestId: created.id, documentId: created.documentId, status: "pending" as const, signers: created.signers };
  },
});
