import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createFakeKit, escapeHtml, serveFake, type Fault, type RecordedCall } from "../kit";

// A local stand-in for Resend (test support and `npm run dev:sandbox`): POST /emails as the
// `resend` SDK sends it (Idempotency-Key honoured: the same key and body answer the same id, the
// same key with another body a 409), GET /emails/:id, GET /domains (to check a key), verified
// sender domains, attachments by content or by URL (downloaded, as Resend does), and an outbox a
// person can read: GET /outbox (HTML) and /outbox.json. Faults come from fakes/kit.ts;
// `{type: "error", error}` plays a Resend error name: validation_error, rate_limit_exceeded,
// daily_quota_exceeded, invalid_api_key, restricted_api_key.

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

export type FakeResendOptions = { port?: number; host?: string; portHint?: string; domains?: string[] };
export type FakeResend = Awaited<ReturnType<typeof startFakeResend>>;

const errorFor: Record<string, { statusCode: number; message: string }> = {
  validation_error: { statusCode: 422, message: "The `to` field is invalid." },
  rate_limit_exceeded: { statusCode: 429, message: "Too many requests. You can only make 2 requests per second." },
  daily_quota_exceeded: { statusCode: 429, message: "You have reached your daily email sending quota." },
  invalid_api_key: { statusCode: 403, message: "API key is invalid" },
  restricted_api_key: { statusCode: 401, message: "This API key is restricted to only send emails" },
  missing_api_key: { statusCode: 401, message: "Missing API key in the authorization header" },
};
const resendError = (name: string, message?: string, statusCode?: number) => ({ statusCode: statusCode ?? errorFor[name]?.statusCode ?? 500, name, message: message ?? errorFor[name]?.message ?? name });

const list = (value: unknown): string[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);
const address = (value: string) => /<([^>]+)>/.exec(value)?.[1] ?? value;
const emailPattern = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;

export async function startFakeResend(options: FakeResendOptions = {}) {
  const domains = options.domains ?? ["flowline.test", "acme.test", "example.it"];
  // Keys a person can paste in the sandbox: one full access, one sending only.
  const keys = new Map<string, "full" | "sending">([
    ["re_fake_full_access_0000000000", "full"],
    ["re_fake_sending_only_000000000", "sending"],
  ]);
  const outbox: OutboxEmail[] = [];
  const idempotency = new Map<string, { hash: string; id: string }>();
  const kit = createFakeKit({ errorBody: (code) => (code === "invalid_auth" ? resendError("invalid_api_key") : code === "ratelimited" ? resendError("rate_limit_exceeded") : resendError("application_error", "Internal server error", 500)) });

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
    if (!from || !emailPattern.test(address(from))) problems.push(["from", "Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format."]);
    else if (!domains.includes(address(from).split("@")[1]!)) return { status: 403, body: resendError("validation_error", `The ${address(from).split("@")[1]} domain is not verified. Please, add and verify your domain on https://resend.com/domains`, 403) };
    if (!to.length || to.some((t) => !emailPattern.test(address(t)))) problems.push(["to", "Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format."]);
    for (const field of ["cc", "bcc", "reply_to"]) if (list(body[field]).some((t) => !emailPattern.test(address(t)))) problems.push([field, `Invalid \`${field}\` field.`]);
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
${[...outbox].reverse().map((e) => `<article><h2>${escapeHtml(e.subject)}</h2><p class="meta">${escapeHtml(e.createdAt)} · from ${escapeHtml(e.from)} · to ${escapeHtml(e.to.join(", "))}${e.cc.length ? ` · cc ${escapeHtml(e.cc.join(", "))}` : ""}${e.attachments.length ? ` · attachments: ${e.attachments.map((a) => `${escapeHtml(a.filename)} (${a.bytes} bytes)`).join(", ")}` : ""}</p><pre>${escapeHtml(e.text ?? e.html ?? "")}</pre></article>`).join("\n")}
</body></html>`;

  const served = await serveFake(kit, { name: "fake Resend", port: options.port, host: options.host, portHint: options.portHint, crashBody: (message) => resendError("application_error", message, 500) }, async ({ request, url, raw, send: answer }) => {
    const verb = request.method ?? "GET";
    if (verb === "GET" && url.pathname === "/outbox") return answer(200, outboxPage(), { "content-type": "text/html; charset=utf-8" });
    if (verb === "GET" && url.pathname === "/outbox.json") return answer(200, JSON.stringify({ emails: outbox.map(({ attachments, ...e }) => ({ ...e, attachments: attachments.map(({ content: _content, ...a }) => a) })) }));
    const method = verb === "POST" && url.pathname === "/emails" ? "emails.send" : verb === "GET" && url.pathname === "/domains" ? "domains.list" : verb === "GET" && url.pathname.startsWith("/emails/") ? "emails.get" : null;
    if (!method) return answer(404, JSON.stringify(resendError("not_found", "The requested endpoint does not exist.", 404)));
    const header = request.headers.authorization ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7) : null;
    kit.record({ method, params: { ...(raw.length ? { body: raw.toString("utf8") } : {}), ...(request.headers["idempotency-key"] ? { idempotencyKey: String(request.headers["idempotency-key"]) } : {}) }, token });
    const fault = kit.take(method);
    if (await kit.play(fault, answer)) return;
    if (!token) return answer(401, JSON.stringify(resendError("missing_api_key")));
    const access = keys.get(token);
    if (!access) return answer(403, JSON.stringify(resendError("invalid_api_key")));
    if (fault?.type === "error") {
      const error = resendError(fault.error);
      return answer(error.statusCode, JSON.stringify(error), fault.error === "rate_limit_exceeded" ? { "retry-after": "2" } : {});
    }
    if (method === "domains.list") {
      if (access === "sending") return answer(401, JSON.stringify(resendError("restricted_api_key")));
      return answer(200, JSON.stringify({ object: "list", has_more: false, data: domains.map((name, i) => ({ id: `d-${i}`, name, status: "verified", region: "eu-west-1", created_at: "2026-01-01T00:00:00.000Z" })) }));
    }
    if (method === "emails.get") {
      const email = outbox.find((e) => e.id === url.pathname.slice("/emails/".length));
      return email ? answer(200, JSON.stringify({ object: "email", id: email.id, from: email.from, to: email.to, subject: email.subject, text: email.text, html: email.html, last_event: "delivered", created_at: email.createdAt })) : answer(404, JSON.stringify(resendError("not_found", "Email not found", 404)));
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
      if (seen && seen.hash !== hash) return answer(409, JSON.stringify(resendError("invalid_idempotent_request", "Same idempotency key used with a different request payload. Change your idempotency key or payload.", 409)));
      if (seen) return answer(200, JSON.stringify({ id: seen.id }));
    }
    const result = await send(body, token);
    if (key && result.status === 200) idempotency.set(`${token}:${key}`, { hash, id: (result.body as { id: string }).id });
    return answer(result.status, JSON.stringify(result.body));
  });

  return {
    url: served.url,
    /** For RESEND_BASE_URL (the SDK's baseUrl). */
    apiUrl: served.url,
    port: served.port,
    domains,
    outbox,
    calls: kit.calls,
    callsTo: kit.callsTo,
    fail: kit.fail,
    /** The full-access key, for the server's RESEND_API_KEY or a paste. */
    fullAccessKey: "re_fake_full_access_0000000000",
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
