import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { createFakeKit, readBody } from "../kit";

// A local stand-in for Resend's receiving side (test support and the sandbox): inbound emails are
// kept in memory and served by GET /emails/receiving/{id} and …/attachments as the resend SDK
// reads them, attachments download from signed-looking URLs, and deliver() sends the app a
// Svix-signed email.received webhook (metadata only, as Resend does). Faults and recorded calls
// come from fakes/kit.ts (also over HTTP at /__fake/…).

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

export type FakeResend = Awaited<ReturnType<typeof startFakeResend>>;

export async function startFakeResend(options: { port?: number; apiKey?: string; webhookSecret?: string } = {}) {
  const apiKey = options.apiKey ?? "re_fake_server_key";
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(24).toString("base64")}`;
  const kit = createFakeKit({ errorBody: (name) => ({ name, message: `fake Resend: ${name}`, statusCode: 500 }) });
  const emails = new Map<string, Stored>();
  const attachments = new Map<string, { emailId: string; filename: string; contentType: string; content: Buffer }>();
  let baseUrl = "";

  const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });
  const attachmentData = (id: string) => {
    const a = attachments.get(id)!;
    return { id, filename: a.filename, size: a.content.length, content_type: a.contentType, content_disposition: "attachment", content_id: null, download_url: `${baseUrl}/attachments/${id}?token=${randomBytes(6).toString("hex")}`, expires_at: new Date(Date.now() + 3_600_000).toISOString() };
  };

  function api(method: string, path: string, authorized: boolean): { status: number; body: string } {
    if (!authorized) return json(401, { name: "invalid_api_key", message: "API key is invalid", statusCode: 401 });
    const receiving = /^\/emails\/receiving\/([^/]+)(\/attachments)?$/.exec(path);
    if (method === "GET" && receiving) {
      const email = emails.get(receiving[1]!);
      if (!email) return json(404, { name: "not_found", message: "Email not found", statusCode: 404 });
      if (receiving[2]) return json(200, { object: "list", has_more: false, data: email.attachmentIds.map(attachmentData) });
      return json(200, {
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
      });
    }
    return json(404, { name: "not_found", message: `fake Resend does not serve ${method} ${path}`, statusCode: 404 });
  }

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://fake.resend");
    const send = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
      if (response.headersSent || response.destroyed) return;
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(body);
    };
    try {
      const raw = await readBody(request);
      if (kit.control(request, url, raw, send)) return;
      if (url.pathname === "/health") return send(200, JSON.stringify({ ok: true }));
      const downloading = /^\/attachments\/([^/]+)$/.exec(url.pathname);
      if (request.method === "GET" && downloading) {
        const file = attachments.get(downloading[1]!);
        return file ? send(200, file.content, { "content-type": file.contentType }) : send(404, "{}");
      }
      const method = `${request.method} ${url.pathname.replace(/\/[0-9a-f-]{36}/g, "/{id}")}`;
      const token = request.headers.authorization?.replace(/^Bearer /, "") ?? null;
      kit.record({ method, params: Object.fromEntries(url.searchParams), token });
      if (await kit.play(kit.take(method), send)) return;
      const answer = api(request.method ?? "GET", url.pathname, token === apiKey);
      send(answer.status, answer.body);
    } catch (error) {
      send(500, JSON.stringify({ name: "application_error", message: (error as Error).message }));
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** Stores an inbound email (as if Resend received it) and returns the webhook it would send: raw body and Svix headers. */
  function receive(email: InboundEmail): { id: string; body: string; headers: Record<string, string> } {
    const id = randomUUID();
    const attachmentIds = (email.attachments ?? []).map((a) => {
      const attachmentId = randomUUID();
      attachments.set(attachmentId, { emailId: id, filename: a.filename, contentType: a.contentType, content: a.content });
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
        attachments: attachmentIds.map((attachmentId) => ({ id: attachmentId, filename: attachments.get(attachmentId)!.filename, content_type: attachments.get(attachmentId)!.contentType, content_disposition: "attachment", content_id: null })),
      },
    });
    return { id, body, headers: signedHeaders(body) };
  }

  function signedHeaders(body: string, at = new Date()): Record<string, string> {
    const msgId = `msg_${randomBytes(8).toString("hex")}`;
    return { "content-type": "application/json", "svix-id": msgId, "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": new Webhook(webhookSecret).sign(msgId, at, body) };
  }

  return {
    url: baseUrl,
    apiKey,
    webhookSecret,
    emails,
    calls: kit.calls,
    fail: kit.fail,
    reset: kit.reset,
    receive,
    signedHeaders,
    /** receive(), then POSTs the webhook to the app, as Resend would. */
    async deliver(email: InboundEmail, webhookUrl: string): Promise<{ id: string; status: number }> {
      const { id, body, headers } = receive(email);
      const response = await fetch(webhookUrl, { method: "POST", headers, body });
      return { id, status: response.status };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
