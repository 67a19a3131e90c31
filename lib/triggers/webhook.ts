import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { z } from "zod";
import { requireRole, type Caller } from "@/lib/auth/roles";
import { open, seal } from "@/lib/credentials/crypto";
import type { Db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { TriggerTypeSpec } from "@/lib/workflow/trigger-types";
import { samplePayloadField } from "./sample";

// A signed HTTP call from another system. Each workflow with this trigger has a URL
// (/api/hooks/<workflow id>) and a secret shown once and rotatable, the old one staying valid for a
// grace period. Calls are verified over the raw body: Standard Webhooks headers (webhook-id,
// webhook-timestamp, webhook-signature; the standardwebhooks package, ±5 minutes) or a plain
// HMAC-SHA256 of the body in a header (GitHub-style "sha256=<hex>"), compared in constant time.

export const WEBHOOK_BODY_LIMIT = 1_000_000;
export const ROTATION_GRACE_MS = 24 * 3_600_000;
const TOLERANCE_MS = 5 * 60_000;

const headerName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9-]{1,64}$/, "A header name: letters, digits and dashes");

export const webhookTrigger = {
  type: "webhook",
  label: "Webhook",
  description: "Started by a signed HTTP call from another system",
  config: z.object({
    signature: z
      .enum(["standard-webhooks", "hmac-sha256"])
      .default("standard-webhooks")
      .meta({
        ui: {
          label: "Signature",
          widget: "select",
          choices: [
            { value: "standard-webhooks", label: "Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)" },
            { value: "hmac-sha256", label: "HMAC-SHA256 of the body in one header (GitHub style)" },
          ],
        },
      }),
    signatureHeader: headerName.default("x-hub-signature-256").meta({
      ui: {
        label: "Signature header",
        help: "For HMAC-SHA256: the header holding sha256=<hex>",
        placeholder: "x-hub-signature-256",
        widget: "text",
        advanced: true,
      },
    }),
    idHeader: headerName.default("x-github-delivery").meta({
      ui: {
        label: "Delivery id header",
        help: "For HMAC-SHA256: the header with a unique id per delivery, so a redelivery starts no second run",
        widget: "text",
        advanced: true,
      },
    }),
    samplePayload: samplePayloadField,
  }),
  payload: z.object({
    body: z.unknown().describe("The request's body: JSON, or the fields of a form"),
    headers: z.record(z.string(), z.string()).describe("The request's headers, names in lower case (signatures left out)"),
    receivedAt: z.iso.datetime().describe("When Flowline received the call"),
  }),
  example: {},
  samplePayload: { body: { event: "order.created", id: "ord_123" }, headers: { "content-type": "application/json" }, receivedAt: "2026-01-01T09:00:00.000Z" },
} satisfies TriggerTypeSpec;

export type WebhookConfig = z.output<typeof webhookTrigger.config>;

export const webhookPath = (workflowId: string) => `/api/hooks/${workflowId}`;

/** A refusal the sender is told about (401/400), kept in the trigger history with its reason. */
export class WebhookRefused extends Error {
  constructor(
    readonly status: 400 | 401,
    message: string,
  ) {
    super(message);
  }
}

/** A workflow's stored webhook secret row (sealed), as the receiver reads it with the workflow. */
export type StoredSecret = {
  keyId: string;
  ciphertext: string;
  previousKeyId: string | null;
  previousCiphertext: string | null;
  previousExpiresAt: Date | null;
};

/** The secrets a call may be signed with: the current one, and the previous one during its grace period. */
function secretsOf(row: StoredSecret, now: Date): string[] {
  const previous =
    row.previousCiphertext && row.previousKeyId && row.previousExpiresAt && row.previousExpiresAt > now
      ? open({ keyId: row.previousKeyId, ciphertext: row.previousCiphertext })
      : null;
  return [open({ keyId: row.keyId, ciphertext: row.ciphertext }), ...(previous === null ? [] : [previous])];
}

const lower = (headers: Headers) => Object.fromEntries([...headers.entries()].map(([k, v]) => [k.toLowerCase(), v]));

function verifyStandard(secret: string, raw: Buffer, headers: Record<string, string>, now: Date): string {
  const id = headers["webhook-id"];
  const timestamp = Number(headers["webhook-timestamp"]);
  if (!id || !headers["webhook-timestamp"] || !headers["webhook-signature"])
    throw new WebhookRefused(400, "Missing webhook-id, webhook-timestamp or webhook-signature header");
  if (!Number.isFinite(timestamp) || Math.abs(now.getTime() - timestamp * 1000) > TOLERANCE_MS)
    throw new WebhookRefused(401, "The webhook-timestamp is more than 5 minutes away from now (a stale or replayed call)");
  try {
    // The timestamp was checked against our clock above; the library checks the signature.
    new Webhook(secret).verify(raw.toString("utf8"), {
      "webhook-id": id,
      "webhook-timestamp": headers["webhook-timestamp"],
      "webhook-signature": headers["webhook-signature"],
    });
  } catch (error) {
    if (error instanceof WebhookVerificationError && /timestamp/i.test(error.message)) {
      throw new WebhookRefused(401, "The webhook-timestamp is more than 5 minutes away from now (a stale or replayed call)");
    }
    throw new WebhookRefused(401, "The signature does not match the body (wrong secret, or the body was changed)");
  }
  return id;
}

function verifyHmac(secret: string, raw: Buffer, headers: Record<string, string>, config: WebhookConfig): string {
  const sent = headers[config.signatureHeader];
  if (!sent) throw new WebhookRefused(400, `Missing the ${config.signatureHeader} header`);
  const expected = createHmac("sha256", secret).update(raw).digest();
  const given = Buffer.from(sent.replace(/^sha256=/, ""), "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new WebhookRefused(401, "The signature does not match the body (wrong secret, or the body was changed)");
  // Without a delivery id, the body itself identifies the delivery.
  return headers[config.idHeader] || `sha256:${createHash("sha256").update(raw).digest("hex")}`;
}

/** Checks a call against the workflow's secret (and the previous one during its grace period); returns the delivery id. */
export function verifyWebhook(stored: StoredSecret | null, config: WebhookConfig, raw: Buffer, headers: Headers, now = new Date()): string {
  if (!stored) throw new WebhookRefused(401, "This workflow has no webhook secret yet: generate one on its page");
  const all = lower(headers);
  let refusal: WebhookRefused | null = null;
  for (const secret of secretsOf(stored, now)) {
    try {
      return config.signature === "standard-webhooks" ? verifyStandard(secret, raw, all, now) : verifyHmac(secret, raw, all, config);
    } catch (error) {
      if (!(error instanceof WebhookRefused)) throw error;
      refusal = error;
      if (error.status === 400) break; // a missing header is missing for every secret
    }
  }
  throw refusal!;
}

const signatureHeaders = new Set(["webhook-signature", "authorization", "cookie"]);
/** Added by the app itself on the way in (proxy.ts's CSP nonce, the peer address): not the sender's. */
const internalHeader = /^x-(flowline-|nonce$)/;

/** The payload a run gets: the body (JSON or form fields), the headers without signatures, when it came. */
export function webhookPayload(raw: Buffer, headers: Headers, config: WebhookConfig, now: Date): Record<string, unknown> {
  const type = headers.get("content-type") ?? "";
  const text = raw.toString("utf8");
  let body: unknown = text;
  if (type.includes("application/x-www-form-urlencoded")) body = Object.fromEntries(new URLSearchParams(text));
  else if (type.includes("json") || /^\s*[[{]/.test(text)) {
    try {
      body = text.trim() === "" ? null : JSON.parse(text);
    } catch {
      throw new WebhookRefused(400, "The body says it is JSON but does not parse");
    }
  }
  const kept = Object.fromEntries(
    Object.entries(lower(headers)).filter(([name]) => !signatureHeaders.has(name) && name !== config.signatureHeader && !internalHeader.test(name)),
  );
  return { body, headers: kept, receivedAt: now.toISOString() };
}

/** A new secret for the workflow's webhook, shown once; the one it replaces keeps working for a day. */
export async function rotateWebhookSecret(
  db: Db,
  caller: Caller,
  workflowId: string,
  now = new Date(),
): Promise<{ secret: string; previousValidUntil: string | null }> {
  requireRole(caller, "admin");
  const workflow = await db.workflow.findFirst({ where: { id: workflowId, companyId: caller.companyId, deletedAt: null }, select: { id: true } });
  if (!workflow) throw notFound("Workflow");
  const secret = `whsec_${randomBytes(32).toString("base64")}`;
  const sealed = seal(secret);
  const current = await db.webhookSecret.findUnique({ where: { workflowId } });
  const previousExpiresAt = current ? new Date(now.getTime() + ROTATION_GRACE_MS) : null;
  await db.webhookSecret.upsert({
    where: { workflowId },
    create: { workflowId, keyId: sealed.keyId, ciphertext: sealed.ciphertext },
    update: {
      keyId: sealed.keyId,
      ciphertext: sealed.ciphertext,
      previousKeyId: current?.keyId ?? null,
      previousCiphertext: current?.ciphertext ?? null,
      previousExpiresAt,
      rotatedAt: now,
    },
  });
  return { secret, previousValidUntil: previousExpiresAt?.toISOString() ?? null };
}

export async function webhookSecretStatus(
  db: Db,
  workflowId: string,
): Promise<{ hasSecret: boolean; rotatedAt: string | null; previousValidUntil: string | null }> {
  const row = await db.webhookSecret.findUnique({ where: { workflowId }, select: { rotatedAt: true, createdAt: true, previousExpiresAt: true } });
  if (!row) return { hasSecret: false, rotatedAt: null, previousValidUntil: null };
  const grace = row.previousExpiresAt && row.previousExpiresAt > new Date() ? row.previousExpiresAt.toISOString() : null;
  return { hasSecret: true, rotatedAt: (row.rotatedAt ?? row.createdAt).toISOString(), previousValidUntil: grace };
}
