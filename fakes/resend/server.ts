import { createHash, randomBytes, randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { createFakeKit, escapeHtml, serveFake, type Fault, type RecordedCall } from "../kit";

// A local stand-in for Resend (test support and `npm run dev:sandbox`).
// Sending: POST /emails as the
// `resend` SDK sends it (Idempotency-Key honoured: the same key and body answer the same id, the
// same key with another body a 409), GET /emails/:id, GET /domains (to check a key), verified
// sender domains, attachments by content or by URL (downloaded, as Resend does), and an outbox a
// person can read: GET /outbox (HTML) and /outbox.json. Faults come from fakes/kit.ts;
// `{type: "error", error}` plays a Resend error name: validation_error, rate_limit_exceeded,
// daily_quota_exceeded, invalid_api_key, restricted_api_key.
// Receiving: inbound emails kept in memory and served by GET /emails/receiving/{id} and
// …/attachments as the resend SDK reads them, attachments downloadable from signed-looking URLs,
// and deliver() sends the app a Svix-signed email.received webhook (metadata only, as Resend does).

export type { Fault, RecordedCall };

export type OutboxEmail = {
  id: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  text: string | null;
  html: string | null;
  tags: { name: string; value: string }[];
  attachments: { filename: string; contentType: string | null; bytes: number; content: Buffer }[];
  key: string;
  createdAt: string;
};

export type InboundEmail = {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  text?: string;
  html?: string;
  headers?: Record<string, string>;
  attachments?: { filename: string; contentType: string; content: Buffer }[];
};

type Stored = InboundEmail & { id: string; createdAt: string; messageId: string; attachmentIds: string[] };

export type FakeResendOptions = { port?: number; host?: string; portHint?: string; domains?: string[]; apiKey?: string; webhookSecret?: string };
export type FakeResend = Awaited<ReturnType<typeof startFakeResend>>;

const errorFor: Record<string, { statusCode: number; message: string }> = {
  validation_error: { statusCode: 422, message: "The `to` field is invalid." },
  rate_limit_exceeded: { statusCode: 429, message: "Too many requests. You can only make 2 requests per second." },
  daily_quota_exceeded: { statusCode: 429, message: "You have reached your daily email sending quota." },
  invalid_api_key: { statusCode: 403, message: "API key is invalid" },
  restricted_api_key: { statusCode: 401, message: "This API key is restricted to only send emails" },
  missing_api_key: { statusCode: 401, message: "Missing API key in the authorization header" },
};
const resendError = (name: string, message?: string, statusCode?: number) => ({
  statusCode: statusCode ?? errorFor[name]?.statusCode ?? 500,
  name,
  message: message ?? errorFor[name]?.message ?? name,
});

const list = (value: unknown): string[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);
const address = (value: string) => /<([^>]+)>/.exec(value)?.[1] ?? value;
const emailPattern = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;

export async function startFakeResend(options: FakeResendOptions = {}) {
  const domains = options.domains ?? ["flowline.test", "acme.test", "example.it"];
  const apiKey = options.apiKey ?? "re_fake_full_access_0000000000";
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(24).toString("base64")}`;
  // Keys a person can paste in the sandbox: the server's (full access), one sending only.
  const keys = new Map<string, "full" | "sending">([
    [apiKey, "full"],
    ["re_fake_sending_only_000000000", "sending"],
  ]);
  const emails = new Map<string, Stored>();
  const inboundFiles = new Map<string, { emailId: string; filename: string; contentType: string; content: Buffer }>();
  let baseUrl = "";
  const attachmentData = (id: string) => {
    const a = inboundFiles.get(id)!;
    return {
      id,
      filename: a.filename,
      size: a.content.length,
      content_type: a.contentType,
      content_disposition: "attachment",
      content_id: null,
      download_url: `${baseUrl}/attachments/${id}?token=${randomBytes(6).toString("hex")}`,
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    };
  };

  function receiving(path: string): { status: number; body: unknown } | null {
    const match = /^\/emails\/receiving\/([^/]+)(\/attachments)?$/.exec(path);
    if (!match) return null;
    const email = emails.get(match[1]!);
    if (!email) return { status: 404, body: resendError("not_found", "Email not found", 404) };
    if (match[2]) return { status: 200, body: { object: "list", has_more: false, data: email.attachmentIds.map(attachmentData) } };
    return {
      status: 200,
      body: {
        object: "email",
        id: email.id,
        to: email.to,
        from: email.from,
        created_at: email.createdAt,
        subject: email.subject,
        bcc: [],
        cc: email.cc ?? [],
        reply_to: null,
        received_for: email.to,
        html: email.html ?? null,
        text: email.text ?? null,
        headers: email.headers ?? {},
        message_id: email.messageId,
        raw: null,
        attachments: email.attachmentIds.map((id) => {
          const { filename, size, content_type, content_id, content_disposition } = attachmentData(id);
          return { id, filename, size, content_type, content_id, content_disposition };
        }),
      },
    };
  }
  const outbox: OutboxEmail[] = [];
  const idempotency = new Map<string, { hash: string; id: string }>();
  const kit = createFakeKit({
    errorBody: (code) =>
      code === "invalid_auth"
        ? resendError("invalid_api_key")
        : code === "ratelimited"
          ? resendError("rate_limit_exceeded")
          : resendError("application_error", "Internal server error", 500),
  });

  async function attachment(raw: Record<string, unknown>, index: number): Promise<OutboxEmail["attachments"][number] | string> {
    const filename = typeof raw.filename === "string" ? raw.filename : "";
    if (!filename) return `attachments[${index}].filename is required`;
    let content: Buffer;
    if (typeof raw.content === "string") content = Buffer.from(raw.content, "base64");
    else if (typeof raw.path === "string") {
      const response = await fetch(raw.path).catch(() => null);
      if (!response?.ok) return `attachments[${index}].path could not be downloaded`;
      content = Buffer.from(await response.arrayBuffer());
    } else return `attachments[${index}] needs content or path`;
    return { filename, contentType: typeof raw.content_type === "string" ? raw.content_type : null, bytes: content.length, content };
  }

  async function send(body: Record<string, unknown>, key: string): Promise<{ status: number; body: unknown }> {
    const from = typeof body.from === "string" ? body.from : "";
    const to = list(body.to);
    const problems: [string, string][] = [];
    if (!from || !emailPattern.test(address(from)))
      problems.push(["from", "Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format."]);
    else if (!domains.includes(address(from).split("@")[1]!))
      return {
        status: 403,
        body: resendError(
          "validation_error",
          `The ${address(from).split("@")[1]} domain is not verified. Please, add and verify your domain on https://resend.com/domains`,
          403,
        ),
      };
    if (!to.length || to.some((t) => !emailPattern.test(address(t))))
      problems.push(["to", "Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format."]);
    for (const field of ["cc", "bcc", "reply_to"])
      if (list(body[field]).some((t) => !emailPattern.test(address(t)))) problems.push([field, `Invalid \`${field}\` field.`]);
    if (typeof body.subject !== "string" || !body.subject) problems.push(["subject", "Missing `subject` field."]);
    if (!body.text && !body.html) problems.push(["text", "Missing `html` or `text` field."]);
    if (problems.length) return { status: 422, body: resendError("validation_error", problems[0]![1]) };
    const attachments: OutboxEmail["attachments"] = [];
    for (const [i, raw] of (Array.isArray(body.attachments) ? (body.attachments as Record<string, unknown>[]) : []).entries()) {
      const made = await attachment(raw, i);
      if (typeof made === "string") return { status: 422, body: resendError("validation_error", made) };
      attachments.push(made);
    }
    const id = randomUUID();
    outbox.push({
      id,
      from,
      to,
      cc: list(body.cc),
      bcc: list(body.bcc),
      replyTo: list(body.reply_to),
      subject: String(body.subject),
      text: typeof body.text === "string" ? body.text : null,
      html: typeof body.html === "string" ? body.html : null,
      tags: Array.isArray(body.tags) ? (body.tags as { name: string; value: string }[]) : [],
      attachments,
      key,
      createdAt: new Date().toISOString(),
    });
    return { status: 200, body: { id } };
  }

  const outboxPage = () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fake Resend outbox</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;background:#fafafa}article{background:#fff;border:1px solid #ddd;border-radius:8px;padding:16px;margin-bottom:12px}
pre{white-space:pre-wrap}.meta{color:#555;font-size:13px}</style></head><body><h1>Fake Resend outbox (${outbox.length})</h1>
<p class="meta">Emails Flowline sent through the local fake Resend (fakes/resend); nothing left this machine. JSON: <a href="/outbox.json">/outbox.json</a></p>
${[...outbox]
  .reverse()
  .map(
    (e) =>
      `<article><h2>${escapeHtml(e.subject)}</h2><p class="meta">${escapeHtml(e.createdAt)} · from ${escapeHtml(e.from)} · to ${escapeHtml(e.to.join(", "))}${e.cc.length ? ` · cc ${escapeHtml(e.cc.join(", "))}` : ""}${e.attachments.length ? ` · attachments: ${e.attachments.map((a) => `${escapeHtml(a.filename)} (${a.bytes} bytes)`).join(", ")}` : ""}</p><pre>${escapeHtml(e.text ?? e.html ?? "")}</pre></article>`,
  )
  .join("\n")}
</body></html>`;

  const served = await serveFake(
    kit,
    {
      name: "fake Resend",
      port: options.port,
      host: options.host,
      portHint: options.portHint,
      crashBody: (message) => resendError("application_error", message, 500),
    },
    async ({ request, url, raw, send: answer }) => {
      const verb = request.method ?? "GET";
      if (verb === "GET" && url.pathname === "/outbox") return answer(200, outboxPage(), { "content-type": "text/html; charset=utf-8" });
      if (verb === "GET" && url.pathname === "/outbox.json")
        return answer(
          200,
          JSON.stringify({ emails: outbox.map(({ attachments, ...e }) => ({ ...e, attachments: attachments.map(({ content: _content, ...a }) => a) })) }),
        );
      const downloading = /^\/attachments\/([^/]+)$/.exec(url.pathname);
      if (verb === "GET" && downloading) {
        const file = inboundFiles.get(downloading[1]!);
        return file ? answer(200, file.content, { "content-type": file.contentType }) : answer(404, "{}");
      }
      if (verb === "POST" && url.pathname === "/sandbox/inbound") return sandboxInbound(request.headers.authorization, raw, answer);
      const inbound = verb === "GET" && url.pathname.startsWith("/emails/receiving/");
      const method = inbound
        ? `GET ${url.pathname.replace(/\/[0-9a-f-]{36}/g, "/{id}")}`
        : verb === "POST" && url.pathname === "/emails"
          ? "emails.send"
          : verb === "GET" && url.pathname === "/domains"
            ? "domains.list"
            : verb === "GET" && url.pathname.startsWith("/emails/")
              ? "emails.get"
              : null;
      if (!method) return answer(404, JSON.stringify(resendError("not_found", "The requested endpoint does not exist.", 404)));
      const header = request.headers.authorization ?? "";
      const token = header.startsWith("Bearer ") ? header.slice(7) : null;
      kit.record({
        method,
        params: {
          ...(raw.length ? { body: raw.toString("utf8") } : {}),
          ...(request.headers["idempotency-key"] ? { idempotencyKey: String(request.headers["idempotency-key"]) } : {}),
        },
        token,
      });
      const fault = kit.take(method);
      if (await kit.play(fault, answer)) return;
      if (!token) return answer(401, JSON.stringify(resendError("missing_api_key")));
      const access = keys.get(token);
      if (!access) return answer(403, JSON.stringify(resendError("invalid_api_key")));
      if (fault?.type === "error") {
        const error = resendError(fault.error);
        return answer(error.statusCode, JSON.stringify(error), fault.error === "rate_limit_exceeded" ? { "retry-after": "2" } : {});
      }
      if (inbound) {
        const found = receiving(url.pathname)!;
        return answer(found.status, JSON.stringify(found.body));
      }
      if (method === "domains.list") {
        if (access === "sending") return answer(401, JSON.stringify(resendError("restricted_api_key")));
        return answer(
          200,
          JSON.stringify({
            object: "list",
            has_more: false,
            data: domains.map((name, i) => ({ id: `d-${i}`, name, status: "verified", region: "eu-west-1", created_at: "2026-01-01T00:00:00.000Z" })),
          }),
        );
      }
      if (method === "emails.get") {
        const email = outbox.find((e) => e.id === url.pathname.slice("/emails/".length));
        return email
          ? answer(
              200,
              JSON.stringify({
                object: "email",
                id: email.id,
                from: email.from,
                to: email.to,
                subject: email.subject,
                text: email.text,
                html: email.html,
                last_event: "delivered",
                created_at: email.createdAt,
              }),
            )
          : answer(404, JSON.stringify(resendError("not_found", "Email not found", 404)));
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
      } catch {
        return answer(422, JSON.stringify(resendError("validation_error", "The body is not JSON")));
      }
      const key = request.headers["idempotency-key"] ? String(request.headers["idempotency-key"]) : null;
      const hash = createHash("sha256").update(raw).digest("hex");
      if (key) {
        const seen = idempotency.get(`${token}:${key}`);
        if (seen && seen.hash !== hash)
          return answer(
            409,
            JSON.stringify(
              resendError(
                "invalid_idempotent_request",
                "Same idempotency key used with a different request payload. Change your idempotency key or payload.",
                409,
              ),
            ),
          );
        if (seen) return answer(200, JSON.stringify({ id: seen.id }));
      }
      const result = await send(body, token);
      if (key && result.status === 200) idempotency.set(`${token}:${key}`, { hash, id: (result.body as { id: string }).id });
      return answer(result.status, JSON.stringify(result.body));
    },
  );

  baseUrl = served.url;

  async function deliverTo(email: InboundEmail, webhookUrl: string): Promise<{ id: string; status: number }> {
    const { id, body, headers } = receive(email);
    const response = await fetch(webhookUrl, { method: "POST", headers, body });
    return { id, status: response.status };
  }

  /**
   * Not Resend's API: the sandbox's "Send test email" (the app's workflow page, or
   * `npm run sandbox:email`). Receives an email for `to`, with a small PDF attached, and sends
   * `webhookUrl` its signed email.received webhook, as Resend would.
   */
  async function sandboxInbound(authorization: string | undefined, raw: Buffer, answer: (status: number, body: string) => void) {
    if (!keys.has(authorization?.replace(/^Bearer /, "") ?? "")) return answer(403, JSON.stringify(resendError("invalid_api_key")));
    let input: { to?: unknown; webhookUrl?: unknown; from?: unknown; subject?: unknown; text?: unknown };
    try {
      input = JSON.parse(raw.toString("utf8")) as typeof input;
    } catch {
      return answer(422, JSON.stringify(resendError("validation_error", "The body is not JSON", 422)));
    }
    if (typeof input.to !== "string" || typeof input.webhookUrl !== "string")
      return answer(422, JSON.stringify(resendError("validation_error", "Send `to` (an address) and `webhookUrl` (the app's inbound endpoint)", 422)));
    const sent = await deliverTo(
      {
        from: typeof input.from === "string" ? input.from : "Sandbox tester <tester@sandbox.test>",
        to: [input.to],
        subject: typeof input.subject === "string" ? input.subject : "Test email from the sandbox",
        text: typeof input.text === "string" ? input.text : "A test email sent by the Flowline sandbox.",
        attachments: [{ filename: "test.pdf", contentType: "application/pdf", content: Buffer.from("%PDF-1.4\n% Flowline sandbox test attachment\n%%EOF\n") }],
      },
      input.webhookUrl,
    ).catch((error: unknown) => ({ id: "", status: 0, error: String(error) }));
    return answer(sent.status === 0 ? 502 : 200, JSON.stringify({ emailId: sent.id, status: sent.status }));
  }

  /** Stores an inbound email (as if Resend received it) and returns the webhook it would send: raw body and Svix headers. */
  function receive(email: InboundEmail): { id: string; body: string; headers: Record<string, string> } {
    const id = randomUUID();
    const attachmentIds = (email.attachments ?? []).map((a) => {
      const attachmentId = randomUUID();
      inboundFiles.set(attachmentId, { emailId: id, filename: a.filename, contentType: a.contentType, content: a.content });
      return attachmentId;
    });
    const stored: Stored = { ...email, id, createdAt: new Date().toISOString(), messageId: `<${id}@fake.resend>`, attachmentIds };
    emails.set(id, stored);
    const body = JSON.stringify({
      type: "email.received",
      created_at: stored.createdAt,
      data: {
        email_id: id,
        created_at: stored.createdAt,
        from: email.from,
        to: email.to,
        cc: email.cc ?? [],
        bcc: [],
        received_for: email.to,
        message_id: stored.messageId,
        subject: email.subject,
        attachments: attachmentIds.map((attachmentId) => ({
          id: attachmentId,
          filename: inboundFiles.get(attachmentId)!.filename,
          content_type: inboundFiles.get(attachmentId)!.contentType,
          content_disposition: "attachment",
          content_id: null,
        })),
      },
    });
    return { id, body, headers: signedHeaders(body) };
  }

  function signedHeaders(body: string, at = new Date()): Record<string, string> {
    const msgId = `msg_${randomBytes(8).toString("hex")}`;
    return {
      "content-type": "application/json",
      "svix-id": msgId,
      "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
      "svix-signature": new Webhook(webhookSecret).sign(msgId, at, body),
    };
  }

  return {
    url: served.url,
    /** The server's key (RESEND_API_KEY): full access. */
    apiKey,
    webhookSecret,
    /** Inbound emails, by id. */
    emails,
    receive,
    signedHeaders,
    /** receive(), then POSTs the webhook to the app, as Resend would. */
    deliver: deliverTo,
    /** For RESEND_BASE_URL (the SDK's baseUrl). */
    apiUrl: served.url,
    port: served.port,
    domains,
    outbox,
    calls: kit.calls,
    callsTo: kit.callsTo,
    fail: kit.fail,
    /** The full-access key (the server's), for RESEND_API_KEY or a paste. */
    fullAccessKey: apiKey,
    /** A sending-only key (Resend's restricted keys cannot list domains). */
    sendingKey: "re_fake_sending_only_000000000",
    /** Another valid key, as a company's own account would have. */
    issueKey(access: "full" | "sending" = "full"): string {
      const key = `re_fake_${randomBytes(12).toString("hex")}`;
      keys.set(key, access);
      return key;
    },
    revoke: (key: string) => keys.delete(key),
    reset: kit.reset,
    close: served.close,
  };
}
