import { Resend } from "resend";
import { getEnv } from "@/lib/config/env";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { deleteFile, storeFile } from "@/lib/files/store";
import { logger } from "@/lib/log";
import type { NodeCatalog } from "@/lib/workflow/node-types";
import { recordRejected, takeEvent } from "./intake";
import { intakeLimiter } from "./intake-limit";
import { readLimited, storableProblem } from "./payload";

// POST /api/inbound/resend: Resend's email.received webhook. It is verified with its Svix
// signature over the raw body (resend.webhooks.verify, RESEND_WEBHOOK_SECRET), carries metadata
// only, so the content and attachments are fetched with the real SDK; attachments are stored as
// files (Doc Manager documents) later steps can use. Each workflow has its own address,
// wf-<workflow id>@<INBOUND_EMAIL_DOMAIN>; one email to several of them starts each once.
// Each addressed workflow takes the email under its own intake limit (intake-limit.ts): when one
// of them is flooded the delivery is answered 429, Resend sends it again later, and the ledger
// keeps the workflows that took it in the first time from starting twice.

const WEBHOOK_BODY_LIMIT = 256 * 1024;
const ATTACHMENT_LIMIT = 25 * 1024 * 1024;

export const inboundAddress = (workflowId: string, domain = getEnv().INBOUND_EMAIL_DOMAIN) => `wf-${workflowId.toLowerCase()}@${domain}`;

type Answer = { status: number; body: Record<string, unknown> };
type Received = { type?: string; data?: { email_id?: string; to?: string[]; cc?: string[] } };

/** Deletes the files of an email that was not taken in; a failure is logged, never put before the intake's own outcome. */
async function dropFiles(db: Db, companyId: string, files: { fileId: string }[]) {
  for (const { fileId } of files) {
    await deleteFile(db, companyId, fileId).catch((error: unknown) =>
      logger.warn({ err: error, fileId }, "an inbound attachment no email refers to was not deleted"),
    );
  }
}

/** The bare address of "Name <a@b>" or "a@b", lower case. */
const bare = (address: string) => (/<([^>]+)>/.exec(address)?.[1] ?? address).trim().toLowerCase();

function client() {
  const env = getEnv();
  if (!env.RESEND_WEBHOOK_SECRET || !env.RESEND_API_KEY) {
    throw new AppError("conflict", "Inbound email is not configured on this server", {
      remediation: "Set RESEND_WEBHOOK_SECRET (the webhook's signing secret) and RESEND_API_KEY",
    });
  }
  return {
    resend: new Resend(env.RESEND_API_KEY, env.RESEND_BASE_URL ? { baseUrl: env.RESEND_BASE_URL } : undefined),
    secret: env.RESEND_WEBHOOK_SECRET,
    domain: env.INBOUND_EMAIL_DOMAIN.toLowerCase(),
  };
}

/** The workflow ids of the addresses on our domain. */
const addressedIds = (recipients: string[], domain: string) => [
  ...new Set(
    recipients.map(bare).flatMap((address) => {
      const match = /^wf-([a-z0-9]{8,64})@(.+)$/.exec(address);
      return match && match[2] === domain ? [match[1]!] : [];
    }),
  ),
];

/** The workflows an email is addressed to: enabled, published with the email trigger. */
async function addressedWorkflows(db: Db, ids: string[]) {
  if (ids.length === 0) return [];
  const rows = await db.workflow.findMany({
    where: { id: { in: ids }, enabled: true, deletedAt: null },
    select: { id: true, companyId: true, publishedVersion: { select: { definition: true } } },
  });
  return rows.filter((row) => (row.publishedVersion?.definition as { trigger?: { type?: string } } | undefined)?.trigger?.type === "email.inbound");
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`attachment download answered HTTP ${response.status}`);
  const body = Buffer.from(await response.arrayBuffer());
  if (body.length > ATTACHMENT_LIMIT) throw new Error("attachment larger than 25 MB");
  return body;
}

async function fetchEmail(resend: Resend, emailId: string) {
  const [email, list] = await Promise.all([resend.emails.receiving.get(emailId), resend.emails.receiving.attachments.list({ emailId })]);
  if (email.error || !email.data) throw new Error(`Resend could not give the email: ${email.error?.message ?? "no data"}`);
  if (list.error || !list.data) throw new Error(`Resend could not list the attachments: ${list.error?.message ?? "no data"}`);
  const files = await Promise.all(
    list.data.data.map(async (a) => ({ filename: a.filename ?? "attachment", contentType: a.content_type, content: await download(a.download_url) })),
  );
  return { email: email.data, files };
}

export async function receiveInboundEmail(db: Db, catalog: NodeCatalog, request: Request): Promise<Answer> {
  const { resend, secret, domain } = client();
  const raw = (await readLimited(request, WEBHOOK_BODY_LIMIT)).toString("utf8");
  let event: Received;
  try {
    event = resend.webhooks.verify({
      payload: raw,
      webhookSecret: secret,
      headers: {
        id: request.headers.get("svix-id") ?? "",
        timestamp: request.headers.get("svix-timestamp") ?? "",
        signature: request.headers.get("svix-signature") ?? "",
      },
    }) as Received;
  } catch (error) {
    const reason = `The Svix signature did not verify (${error instanceof Error ? error.message : "invalid"})`;
    await recordRejected(db, { companyId: null, triggerType: "email.inbound", source: "resend", reason });
    return { status: 401, body: { error: { code: "unauthenticated", message: reason } } };
  }
  const emailId = event.data?.email_id;
  if (event.type !== "email.received" || !emailId) return { status: 200, body: { ignored: event.type ?? "unknown event" } };
  const ids = addressedIds([...(event.data?.to ?? []), ...(event.data?.cc ?? [])], domain);
  const admitted: string[] = [];
  let limited: AppError | null = null;
  for (const workflowId of ids) {
    const refusal = await intakeLimiter().admit(db, { workflowId, triggerType: "email.inbound", source: "resend", what: "email" });
    if (refusal) limited ??= refusal;
    else admitted.push(workflowId);
  }
  const targets = await addressedWorkflows(db, admitted);
  const pending = [];
  for (const target of targets) {
    const seen = await db.inboundEvent.findUnique({
      where: { source_externalId: { source: "resend", externalId: `${emailId}:${target.id}` } },
      select: { matchedRunIds: true },
    });
    if (!seen) pending.push(target);
  }
  if (pending.length === 0) {
    if (limited) throw limited;
    return { status: 200, body: { duplicate: targets.length > 0, runIds: [] } };
  }

  // Fetched only now: a redelivery of an email already taken in costs no call.
  const { email, files } = await fetchEmail(resend, emailId);
  const runIds: string[] = [];
  for (const target of pending) {
    const attachments = [];
    let taken = false;
    try {
      for (const file of files) {
        const stored = await storeFile(db, target.companyId, { filename: file.filename, contentType: file.contentType, bytes: new Uint8Array(file.content) });
        attachments.push({ filename: file.filename, contentType: file.contentType, size: stored.size, fileId: stored.id });
      }
      const payload = {
        from: email.from,
        to: email.to,
        cc: email.cc ?? [],
        subject: email.subject,
        text: email.text ?? "",
        html: email.html,
        headers: email.headers ?? {},
        date: email.created_at,
        attachments,
      };
      const problem = storableProblem(payload);
      if (problem) {
        await recordRejected(db, {
          companyId: target.companyId,
          workflowId: target.id,
          triggerType: "email.inbound",
          source: "resend",
          reason: `The email cannot be stored: ${problem}`,
        });
        continue;
      }
      const result = await takeEvent(db, catalog, {
        companyId: target.companyId,
        workflowId: target.id,
        triggerType: "email.inbound",
        source: "resend",
        externalId: `${emailId}:${target.id}`,
        payload,
      });
      taken = !result.duplicate;
      runIds.push(...result.runIds);
    } finally {
      // Stored before the intake's commit (a run's payload names them): when the email was not
      // taken in (refused, the same delivery taken by a concurrent one, a failed commit) nothing
      // refers to them.
      if (!taken) await dropFiles(db, target.companyId, attachments);
    }
  }
  logger.info({ emailId, workflows: pending.length, runs: runIds.length, limited: Boolean(limited) }, "inbound email taken in");
  if (limited) throw limited;
  return { status: 202, body: { runIds } };
}
