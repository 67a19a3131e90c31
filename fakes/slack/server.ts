import { randomBytes } from "node:crypto";
import http from "node:http";
import { consentPage, createFakeKit, escapeHtml, hiddenInputs, scopeItems, serveFake, type Fault, type RecordedCall } from "../kit";

// A local stand-in for Slack (test support and `npm run dev:sandbox`): the Web API methods Flowline
// uses, the three-step file upload, and the OAuth v2 consent page with oauth.v2.access (code and
// refresh_token grants). It keeps its state in memory, records every call, and can be told to fail
// (fakes/kit.ts): fake.fail("chat.postMessage", { type: "ratelimit", retryAfter: 3 }), or over HTTP
// with POST /__fake/faults.

export type { Fault, RecordedCall };

type TokenInfo = { kind: "bot" | "refresh"; revoked: boolean; expiresAt: number | null; pair?: string; team: Team };
type Team = { id: string; name: string };
type Channel = { id: string; name: string; is_private: boolean; is_member: boolean; is_archived: boolean };
type Message = { channel: string; ts: string; text: string; thread_ts?: string; blocks?: unknown; metadata?: unknown };
type StoredFile = { id: string; filename: string; length: number; uploaded: boolean; shared: boolean; title?: string; channel?: string; body?: string };

export type FakeSlackOptions = {
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  /** Token rotation: OAuth answers carry refresh_token and expires_in. */
  rotation?: boolean;
  /** What to suggest when the port is busy (the sandbox names its flag). */
  portHint?: string;
  /** Seconds an access token lives with rotation on (Slack: 43200). */
  expiresIn?: number;
};

export type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;

const page = (title: string, body: string) => consentPage({ lang: "en", background: "#f4ede4", accent: "#007a5a" }, title, body);

export async function startFakeSlack(options: FakeSlackOptions = {}) {
  const clientId = options.clientId ?? "fake-client-id";
  const clientSecret = options.clientSecret ?? "fake-client-secret";
  // Several workspaces, two of them with the same name, so choosing a default and telling
  // connections apart can be tried; the consent page asks which one.
  const teams: Team[] = [
    { id: "T0FAKE01", name: "Fake Workspace" },
    { id: "T0FAKE02", name: "Fake Workspace" },
    { id: "T0FAKE03", name: "Acme Design" },
  ];
  const team = teams[0]!;
  const teamOf = (id: string | undefined) => teams.find((t) => t.id === id) ?? team;
  const settings = { rotation: options.rotation ?? false, expiresIn: options.expiresIn ?? 43_200 };
  const tokens = new Map<string, TokenInfo>();
  const codes = new Map<string, { redirectUri: string; used: boolean; scope: string; team: Team }>();
  const messages = new Map<string, Message>();
  const files = new Map<string, StoredFile>();
  const downloads = new Map<string, { body: Buffer; contentType: string }>();
  const kit = createFakeKit({ errorBody: (error) => ({ ok: false, error }) });
  let counter = 0;
  const channels: Channel[] = [
    { id: "C0GENERAL", name: "general", is_private: false, is_member: true, is_archived: false },
    { id: "C0RANDOM", name: "random", is_private: false, is_member: false, is_archived: false },
    { id: "G0PRIVATE", name: "leadership", is_private: true, is_member: true, is_archived: false },
    { id: "C0OLD", name: "old-news", is_private: false, is_member: true, is_archived: true },
    ...Array.from({ length: 5 }, (_, i) => ({ id: `C0EXTRA${i}`, name: `project-${i + 1}`, is_private: false, is_member: true, is_archived: false })),
  ];

  const newToken = (prefix: string) => `${prefix}-fake-${++counter}-${randomBytes(6).toString("hex")}`;
  function issuePair(team: Team): { access: string; refresh?: string } {
    const access = newToken("xoxb");
    if (!settings.rotation) {
      tokens.set(access, { kind: "bot", revoked: false, expiresAt: null, team });
      return { access };
    }
    const refresh = newToken("xoxe");
    tokens.set(access, { kind: "bot", revoked: false, expiresAt: Date.now() + settings.expiresIn * 1000, team });
    tokens.set(refresh, { kind: "refresh", revoked: false, expiresAt: null, pair: access, team });
    return { access, refresh };
  }

  let baseUrl = "";
  const findChannel = (idOrName: string) => channels.find((c) => c.id === idOrName || c.name === idOrName.replace(/^#/, ""));
  const nextTs = () => `${1_700_000_000 + ++counter}.${String(counter).padStart(6, "0")}`;

  type Answer = { status?: number; headers?: Record<string, string>; body: unknown };
  const ok = (body: Record<string, unknown> = {}): Answer => ({ body: { ok: true, ...body } });
  const fail = (error: string, extra: Record<string, unknown> = {}): Answer => ({ body: { ok: false, error, ...extra } });

  function authed(token: string | null): Answer | null {
    if (!token) return fail("not_authed");
    const info = tokens.get(token);
    if (!info || info.kind !== "bot" || info.revoked) return fail("invalid_auth");
    if (info.expiresAt !== null && info.expiresAt < Date.now()) return fail("token_expired");
    return null;
  }

  function oauthAccess(params: Record<string, string>, basic: { id: string; secret: string } | null): Answer {
    const id = params.client_id ?? basic?.id;
    const secret = params.client_secret ?? basic?.secret;
    if (id !== clientId) return fail("invalid_client_id");
    if (secret !== clientSecret) return fail("bad_client_secret");
    if (params.grant_type === "refresh_token") {
      const info = params.refresh_token ? tokens.get(params.refresh_token) : undefined;
      if (!info || info.kind !== "refresh" || info.revoked) return fail("invalid_refresh_token");
      info.revoked = true; // single use, as with Slack's rotation
      if (info.pair) tokens.delete(info.pair);
      const pair = issuePair(info.team);
      return ok({
        access_token: pair.access,
        refresh_token: pair.refresh,
        expires_in: settings.expiresIn,
        token_type: "bot",
        scope: "chat:write,channels:read,groups:read,files:write,users:read",
        bot_user_id: "U0BOT",
        app_id: "A0FAKE",
        team: info.team,
        enterprise: null,
        is_enterprise_install: false,
      });
    }
    const code = params.code ? codes.get(params.code) : undefined;
    if (!code) return fail("invalid_code");
    if (code.used) return fail("code_already_used");
    if (params.redirect_uri && params.redirect_uri !== code.redirectUri) return fail("bad_redirect_uri");
    code.used = true;
    const pair = issuePair(code.team);
    return ok({
      access_token: pair.access,
      token_type: "bot",
      scope: code.scope,
      bot_user_id: "U0BOT",
      app_id: "A0FAKE",
      team: code.team,
      enterprise: null,
      is_enterprise_install: false,
      ...(pair.refresh ? { refresh_token: pair.refresh, expires_in: settings.expiresIn } : {}),
    });
  }

  function api(method: string, params: Record<string, string>, token: string | null, basic: { id: string; secret: string } | null): Answer {
    if (method === "oauth.v2.access") return oauthAccess(params, basic);
    const denied = authed(token);
    if (denied) return denied;
    switch (method) {
      case "auth.test": {
        const { team } = tokens.get(token!)!;
        return ok({
          url: `https://${team.id.toLowerCase()}.slack.test/`,
          team: team.name,
          user: "flowline",
          team_id: team.id,
          user_id: "U0BOT",
          bot_id: "B0BOT",
        });
      }
      case "auth.revoke": {
        const info = tokens.get(token!)!;
        info.revoked = true;
        return ok({ revoked: true });
      }
      case "conversations.list": {
        const types = (params.types ?? "public_channel").split(",");
        const visible = channels.filter(
          (c) =>
            (c.is_private ? types.includes("private_channel") : types.includes("public_channel")) && !(params.exclude_archived === "true" && c.is_archived),
        );
        const limit = Math.min(Number(params.limit ?? 100) || 100, 1000);
        const offset = params.cursor ? Number(Buffer.from(params.cursor, "base64").toString("utf8").replace("offset:", "")) : 0;
        const slice = visible.slice(offset, offset + limit);
        const next = offset + limit < visible.length ? Buffer.from(`offset:${offset + limit}`).toString("base64") : "";
        return ok({ channels: slice, response_metadata: { next_cursor: next } });
      }
      // A channel's messages newest first (thread replies are not in it), or one thread's; metadata
      // only with include_all_metadata, as Slack does. What reconciling a step looks messages up in.
      case "conversations.history":
      case "conversations.replies": {
        const channel = findChannel(params.channel ?? "");
        if (!channel || (channel.is_private && !channel.is_member)) return fail("channel_not_found");
        const inChannel = [...messages.values()].filter((m) => m.channel === channel.id);
        const picked =
          method === "conversations.history"
            ? inChannel.filter((m) => !m.thread_ts).reverse()
            : inChannel.filter((m) => m.ts === params.ts || m.thread_ts === params.ts);
        if (method === "conversations.replies" && picked.length === 0) return fail("thread_not_found");
        const limit = Math.min(Number(params.limit ?? 100) || 100, 1000);
        const withMetadata = params.include_all_metadata === "true";
        return ok({
          messages: picked.slice(0, limit).map(({ text, ts, thread_ts, metadata }) => ({
            type: "message",
            text,
            ts,
            ...(thread_ts ? { thread_ts } : {}),
            ...(withMetadata && metadata ? { metadata } : {}),
          })),
          has_more: picked.length > limit,
        });
      }
      case "chat.postMessage": {
        const channel = findChannel(params.channel ?? "");
        if (!channel || (channel.is_private && !channel.is_member)) return fail("channel_not_found");
        if (channel.is_archived) return fail("is_archived");
        if (!channel.is_member) return fail("not_in_channel");
        if (!params.text && !params.blocks) return fail("no_text");
        let blocks: unknown;
        if (params.blocks) {
          try {
            blocks = JSON.parse(params.blocks);
            if (!Array.isArray(blocks) || blocks.some((b) => typeof b !== "object" || b === null || typeof (b as { type?: unknown }).type !== "string"))
              return fail("invalid_blocks");
          } catch {
            return fail("invalid_blocks");
          }
        }
        if (params.thread_ts && ![...messages.values()].some((m) => m.channel === channel.id && m.ts === params.thread_ts)) return fail("thread_not_found");
        const ts = nextTs();
        const message: Message = {
          channel: channel.id,
          ts,
          text: params.text ?? "",
          ...(params.thread_ts ? { thread_ts: params.thread_ts } : {}),
          ...(blocks ? { blocks } : {}),
          ...(params.metadata ? { metadata: JSON.parse(params.metadata) as unknown } : {}),
        };
        messages.set(`${channel.id}:${ts}`, message);
        return ok({
          channel: channel.id,
          ts,
          message: { type: "message", text: message.text, ts, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) },
        });
      }
      case "chat.delete": {
        const key = `${params.channel}:${params.ts}`;
        if (!messages.delete(key)) return fail("message_not_found");
        return ok({ channel: params.channel, ts: params.ts });
      }
      case "files.getUploadURLExternal": {
        if (!params.filename || !params.length) return fail("invalid_arguments");
        const id = `F0${(++counter).toString().padStart(8, "0")}`;
        files.set(id, { id, filename: params.filename, length: Number(params.length), uploaded: false, shared: false });
        return ok({ upload_url: `${baseUrl}/upload/${id}`, file_id: id });
      }
      case "files.completeUploadExternal": {
        let list: { id: string; title?: string }[];
        try {
          list = JSON.parse(params.files ?? "[]") as { id: string; title?: string }[];
        } catch {
          return fail("invalid_arguments");
        }
        const channel = params.channel_id ? findChannel(params.channel_id) : undefined;
        if (params.channel_id && (!channel || (channel.is_private && !channel.is_member))) return fail("channel_not_found");
        if (channel && !channel.is_member) return fail("not_in_channel");
        const done = [];
        for (const entry of list) {
          const file = files.get(entry.id);
          if (!file || !file.uploaded) return fail("file_not_found");
          file.shared = true;
          if (entry.title) file.title = entry.title;
          if (channel) file.channel = channel.id;
          done.push({ id: file.id, name: file.filename, title: file.title ?? file.filename });
        }
        return ok({ files: done });
      }
      case "files.delete": {
        if (!params.file || !files.delete(params.file)) return fail("file_not_found");
        return ok();
      }
      default:
        return fail("unknown_method");
    }
  }

  function parseParams(request: http.IncomingMessage, raw: Buffer, url: URL): Record<string, string> {
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    const type = request.headers["content-type"] ?? "";
    if (type.includes("application/json") && raw.length)
      Object.assign(
        params,
        Object.fromEntries(
          Object.entries(JSON.parse(raw.toString("utf8")) as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
        ),
      );
    else if (type.includes("application/x-www-form-urlencoded")) Object.assign(params, Object.fromEntries(new URLSearchParams(raw.toString("utf8"))));
    return params;
  }

  const served = await serveFake(
    kit,
    {
      name: "fake Slack",
      port: options.port,
      host: options.host,
      portHint: options.portHint,
      crashBody: (detail) => ({ ok: false, error: "fake_crashed", detail }),
    },
    async ({ request, response, url, raw, send }) => {
      if (request.method === "GET" && url.pathname === "/oauth/v2/authorize") {
        const q = Object.fromEntries(url.searchParams);
        if (q.client_id !== clientId) return send(400, page("Slack", `<h1>Unknown app</h1><p>client_id is not valid.</p>`), { "content-type": "text/html" });
        const hidden = hiddenInputs(q, ["client_id", "redirect_uri", "state", "scope"]);
        const scopes = scopeItems(q.scope, ",");
        return send(
          200,
          page(
            "Fake Slack: allow access",
            `<h1>Flowline is requesting permission to access a Slack workspace</h1>
<p>It will be able to:</p><ul>${scopes}</ul>
<form method="get" action="/oauth/v2/approve">${hidden}
<p><label>Workspace <select name="team">${teams.map((t) => `<option value="${t.id}">${escapeHtml(t.name)} (${t.id})</option>`).join("")}</select></label></p>
<button class="allow" name="decision" value="allow" type="submit">Allow</button>
<button name="decision" value="deny" type="submit">Cancel</button></form>
<p class="note">This is the local fake Slack (fakes/slack), not slack.com.</p>`,
          ),
          { "content-type": "text/html; charset=utf-8" },
        );
      }
      if (request.method === "GET" && url.pathname === "/oauth/v2/approve") {
        const q = Object.fromEntries(url.searchParams);
        const target = new URL(q.redirect_uri ?? "");
        if (q.decision === "allow") {
          const code = `fake-code-${++counter}-${randomBytes(4).toString("hex")}`;
          codes.set(code, { redirectUri: q.redirect_uri ?? "", used: false, scope: q.scope ?? "", team: teamOf(q.team) });
          target.searchParams.set("code", code);
        } else target.searchParams.set("error", "access_denied");
        target.searchParams.set("state", q.state ?? "");
        response.writeHead(302, { location: target.toString() });
        return response.end();
      }
      if (request.method === "POST" && url.pathname.startsWith("/upload/")) {
        const file = files.get(url.pathname.slice("/upload/".length));
        kit.record({ method: "upload", params: { file: file?.id ?? "", bytes: String(raw.length) }, token: null });
        const fault = kit.take("upload");
        if (fault?.type === "http") return send(fault.status, "error", { "content-type": "text/plain" });
        if (!file) return send(404, "no such upload", { "content-type": "text/plain" });
        file.uploaded = true;
        file.body = raw.toString("latin1");
        return send(200, `OK - ${raw.length}`, { "content-type": "text/plain" });
      }
      if (request.method === "GET" && url.pathname.startsWith("/files/")) {
        const file = downloads.get(url.pathname);
        if (!file) return send(404, "not found", { "content-type": "text/plain" });
        response.writeHead(200, { "content-type": file.contentType, "content-length": String(file.body.length) });
        return response.end(file.body);
      }
      if (request.method === "POST" && url.pathname.startsWith("/api/")) {
        const method = url.pathname.slice("/api/".length);
        const params = parseParams(request, raw, url);
        const header = request.headers.authorization ?? "";
        const token = header.startsWith("Bearer ") ? header.slice(7) : (params.token ?? null);
        const basicRaw = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString("utf8").split(":") : null;
        const basic = basicRaw ? { id: basicRaw[0] ?? "", secret: basicRaw.slice(1).join(":") } : null;
        kit.record({ method, params, token });
        const fault = kit.take(method);
        if (await kit.play(fault, send)) return;
        // Slack answers its own errors with HTTP 200
        if (fault?.type === "error") return send(200, JSON.stringify({ ok: false, error: fault.error }));
        const answer = api(method, params, token, basic);
        return send(answer.status ?? 200, JSON.stringify(answer.body), answer.headers);
      }
      send(404, JSON.stringify({ ok: false, error: "not_found" }));
    },
  );
  baseUrl = served.url;
  const port = served.port;

  return {
    url: baseUrl,
    /** For SLACK_API_URL / WebClient's slackApiUrl. */
    apiUrl: `${baseUrl}/api/`,
    port,
    clientId,
    clientSecret,
    team,
    teams,
    settings,
    calls: kit.calls,
    messages,
    files,
    channels,
    callsTo: kit.callsTo,
    fail: kit.fail,
    /** A valid bot token, as if pasted from the Slack app's settings page. */
    issueBotToken(expiresInSeconds?: number, teamId?: string): string {
      const token = newToken("xoxb");
      tokens.set(token, {
        kind: "bot",
        revoked: false,
        expiresAt: expiresInSeconds === undefined ? null : Date.now() + expiresInSeconds * 1000,
        team: teamOf(teamId),
      });
      return token;
    },
    /** Lets a token stop working, as when someone removes the app from the workspace. */
    revoke(token: string) {
      const info = tokens.get(token);
      if (info) info.revoked = true;
    },
    /** Makes an access token expire now (rotation). */
    expire(token: string) {
      const info = tokens.get(token);
      if (info) info.expiresAt = Date.now() - 1;
    },
    isRevoked: (token: string) => tokens.get(token)?.revoked ?? true,
    /** Serves bytes at /files/<name>, for "upload from a URL". */
    serveFile(name: string, body: Buffer | string, contentType = "application/octet-stream"): string {
      downloads.set(`/files/${name}`, { body: Buffer.from(body), contentType });
      return `${baseUrl}/files/${name}`;
    },
    reset: kit.reset,
    close: served.close,
  };
}
