import { randomBytes } from "node:crypto";
import { consentPage, createFakeKit, escapeHtml, hiddenInputs, serveFake, type Fault, type RecordedCall } from "../kit";

// A local stand-in for Discord (test support and `npm run dev:sandbox`): the REST v10 routes
// Flowline uses (current bot user and its servers, a server's channels and active threads,
// messages with embeds, files as multipart with payload_json, nonce with enforce_nonce, threads
// started from a message, delete), the OAuth 2 "add to server" consent page (choose one of several
// servers) with /oauth2/token, and rate-limit buckets answered with Discord's X-RateLimit-*
// headers and a 429 body with retry_after. State is in memory; every call is recorded and can be
// made to fail (fakes/kit.ts): fake.fail("createMessage", { type: "ratelimit", retryAfter: 3 }),
// or over HTTP with POST /__fake/faults. `{type: "error", error: "50001"}` answers that Discord
// JSON error code (50001 Missing Access, 10003 Unknown Channel, 50013 Missing Permissions,
// 10008 Unknown Message, 50035 Invalid Form Body, 40005 Request entity too large).
// Unverified against Discord itself: that message history carries each message's nonce (the fake
// returns it, which reconcile relies on); enforce_nonce's window is taken as 5 minutes.

export type { Fault, RecordedCall };

type Guild = { id: string; name: string };
/** access: what the bot may do there ("none": Missing Access; "read": Missing Permissions on send). */
type Channel = { id: string; guild_id: string; name: string; type: number; position: number; parent_id?: string; access: "full" | "read" | "none" };
type Attachment = { id: string; filename: string; size: number; url: string; content_type?: string; bytes: Buffer };
type Message = {
  id: string;
  channel_id: string;
  content: string;
  embeds: unknown[];
  attachments: Attachment[];
  nonce?: string;
  createdAt: number;
  author: string;
};
type Bot = { id: string; username: string };

export type FakeDiscordOptions = {
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  portHint?: string;
  /** The app's bot token (DISCORD_BOT_TOKEN), fixed so a separately started app can be given it; default: a fresh one. */
  botToken?: string;
  /** Calls per bucket (route and channel) per window before a 429 (Discord: about 5 per 5 s); generous by default. */
  bucketLimit?: number;
  bucketWindowMs?: number;
};

export type FakeDiscord = Awaited<ReturnType<typeof startFakeDiscord>>;

const page = (title: string, body: string) => consentPage({ lang: "en", background: "#313338", accent: "#5865f2" }, title, body);

/** Discord's JSON errors as the fake plays them. */
const discordErrors: Record<string, { status: number; message: string }> = {
  "10003": { status: 404, message: "Unknown Channel" },
  "10004": { status: 404, message: "Unknown Guild" },
  "10008": { status: 404, message: "Unknown Message" },
  "40005": { status: 413, message: "Request entity too large" },
  "50001": { status: 403, message: "Missing Access" },
  "50006": { status: 400, message: "Cannot send an empty message" },
  "50013": { status: 403, message: "Missing Permissions" },
  "50035": { status: 400, message: "Invalid Form Body" },
  "160004": { status: 400, message: "A thread has already been created for this message" },
};

const permissionNames: [bigint, string][] = [
  [1n << 10n, "View Channels"],
  [1n << 11n, "Send Messages"],
  [1n << 14n, "Embed Links"],
  [1n << 15n, "Attach Files"],
  [1n << 16n, "Read Message History"],
  [1n << 35n, "Create Public Threads"],
  [1n << 38n, "Send Messages in Threads"],
];

const NONCE_WINDOW_MS = 5 * 60_000;

export async function startFakeDiscord(options: FakeDiscordOptions = {}) {
  const clientId = options.clientId ?? "1100000000000000900";
  const clientSecret = options.clientSecret ?? "fake-discord-client-secret";
  const bucket = { limit: options.bucketLimit ?? 1000, windowMs: options.bucketWindowMs ?? 5_000 };
  // Several servers, two with the same name, so choosing one on the consent page can be tried.
  const guilds: Guild[] = [
    { id: "1100000000000000001", name: "Fake Server" },
    { id: "1100000000000000002", name: "Fake Server" },
    { id: "1100000000000000003", name: "Acme Design" },
  ];
  const channels = new Map<string, Channel>();
  const addChannel = (channel: Channel) => channels.set(channel.id, channel);
  [
    { id: "1100000000000000101", guild_id: guilds[0]!.id, name: "general", type: 0, position: 0, access: "full" as const },
    { id: "1100000000000000102", guild_id: guilds[0]!.id, name: "announcements", type: 5, position: 1, access: "full" as const },
    { id: "1100000000000000103", guild_id: guilds[0]!.id, name: "private-ops", type: 0, position: 2, access: "none" as const },
    { id: "1100000000000000104", guild_id: guilds[0]!.id, name: "read-only", type: 0, position: 3, access: "read" as const },
    { id: "1100000000000000105", guild_id: guilds[0]!.id, name: "Voice", type: 2, position: 4, access: "full" as const },
    { id: "1100000000000000106", guild_id: guilds[0]!.id, name: "Projects", type: 4, position: 5, access: "full" as const },
    { id: "1100000000000000201", guild_id: guilds[1]!.id, name: "general", type: 0, position: 0, access: "full" as const },
    { id: "1100000000000000301", guild_id: guilds[2]!.id, name: "design", type: 0, position: 0, access: "full" as const },
  ].forEach(addChannel);
  const messages = new Map<string, Message>();
  const bots = new Map<string, Bot>();
  const codes = new Map<string, { redirectUri: string; used: boolean; guild: Guild }>();
  const buckets = new Map<string, { start: number; count: number }>();
  const kit = createFakeKit({
    errorBody: (code) =>
      code === "ratelimited"
        ? { message: "You are being rate limited.", retry_after: 1, global: false }
        : code === "invalid_auth"
          ? { message: "401: Unauthorized", code: 0 }
          : { message: `Fake Discord error (${code})`, code: 0 },
  });
  let counter = 0;
  let snowflake = 1_200_000_000_000_000_000n;
  const nextId = () => String(++snowflake);

  const botTokenFor = (bot: Bot) =>
    `${Buffer.from(bot.id).toString("base64url")}.${randomBytes(4).toString("base64url")}.${randomBytes(20).toString("base64url")}`;
  function issueBotToken(username = "Flowline", token?: string): string {
    const bot = { id: "1100000000000000900", username };
    const issued = token ?? botTokenFor(bot);
    bots.set(issued, bot);
    return issued;
  }
  /** The app's own bot token (DISCORD_BOT_TOKEN): what servers connected with OAuth are called with. */
  const botToken = issueBotToken("Flowline", options.botToken);

  let baseUrl = "";
  type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
  const ok = (body: unknown, status = 200): Answer => ({ status, body });
  const error = (code: string): Answer => {
    const known = discordErrors[code] ?? { status: 400, message: `Error ${code}` };
    return { status: known.status, body: { message: known.message, code: Number(code) } };
  };

  /** The bucket of a route and its major parameter, with Discord's headers; a 429 when it is spent. */
  function takeBucket(route: string, major: string): { headers: Record<string, string>; limited: Answer | null } {
    const key = `${route}:${major}`;
    const now = Date.now();
    let entry = buckets.get(key);
    if (!entry || now - entry.start >= bucket.windowMs) buckets.set(key, (entry = { start: now, count: 0 }));
    entry.count++;
    const resetAfter = Math.max(0, (entry.start + bucket.windowMs - now) / 1000);
    const headers = {
      "x-ratelimit-limit": String(bucket.limit),
      "x-ratelimit-remaining": String(Math.max(0, bucket.limit - entry.count)),
      "x-ratelimit-reset": String((entry.start + bucket.windowMs) / 1000),
      "x-ratelimit-reset-after": resetAfter.toFixed(3),
      "x-ratelimit-bucket": Buffer.from(route).toString("hex").slice(0, 16),
    };
    if (entry.count <= bucket.limit) return { headers, limited: null };
    return {
      headers,
      limited: {
        status: 429,
        headers: { ...headers, "retry-after": String(Math.ceil(resetAfter)), "x-ratelimit-scope": "user" },
        body: { message: "You are being rate limited.", retry_after: Number(resetAfter.toFixed(3)), global: false },
      },
    };
  }

  const botGuild = (id: string) => guilds.find((g) => g.id === id);
  const publicChannel = ({ access: _access, ...channel }: Channel) => channel;
  const publicMessage = (m: Message) => ({
    id: m.id,
    type: 0,
    channel_id: m.channel_id,
    content: m.content,
    embeds: m.embeds,
    attachments: m.attachments.map(({ bytes: _bytes, ...a }) => a),
    author: { id: m.author, username: "Flowline", bot: true },
    timestamp: new Date(m.createdAt).toISOString(),
    ...(m.nonce ? { nonce: m.nonce } : {}),
  });

  async function readMessageBody(
    contentType: string,
    raw: Buffer,
  ): Promise<{ json: Record<string, unknown>; files: { name: string; type: string; bytes: Buffer }[] }> {
    if (contentType.includes("multipart/form-data")) {
      const form = await new Request("http://fake.local", { method: "POST", headers: { "content-type": contentType }, body: new Uint8Array(raw) }).formData();
      const files = [];
      for (const [key, value] of form.entries()) {
        if (key.startsWith("files[") && typeof value !== "string")
          files.push({ name: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
      }
      const payload = form.get("payload_json");
      return { json: typeof payload === "string" ? (JSON.parse(payload) as Record<string, unknown>) : {}, files };
    }
    return { json: raw.length ? (JSON.parse(raw.toString("utf8")) as Record<string, unknown>) : {}, files: [] };
  }

  function createMessage(channel: Channel, bot: Bot, json: Record<string, unknown>, files: { name: string; type: string; bytes: Buffer }[]): Answer {
    if (channel.access === "none") return error("50001");
    if (channel.access === "read") return error("50013");
    if (![0, 5, 10, 11, 12].includes(channel.type)) return error("50035");
    const content = typeof json.content === "string" ? json.content : "";
    const embeds = Array.isArray(json.embeds) ? json.embeds : [];
    if (content.length > 2000 || embeds.length > 10) return error("50035");
    if (embeds.some((e) => typeof e !== "object" || e === null || Array.isArray(e))) return error("50035");
    if (!content && embeds.length === 0 && files.length === 0) return error("50006");
    const nonce = typeof json.nonce === "string" || typeof json.nonce === "number" ? String(json.nonce) : undefined;
    if (nonce && nonce.length > 25) return error("50035");
    if (nonce && json.enforce_nonce === true) {
      const earlier = [...messages.values()].find((m) => m.nonce === nonce && m.author === bot.id && Date.now() - m.createdAt < NONCE_WINDOW_MS);
      if (earlier) return ok(publicMessage(earlier));
    }
    const id = nextId();
    const message: Message = {
      id,
      channel_id: channel.id,
      content,
      embeds,
      attachments: files.map((file) => {
        const attachmentId = nextId();
        return {
          id: attachmentId,
          filename: file.name,
          size: file.bytes.length,
          url: `${baseUrl}/attachments/${channel.id}/${attachmentId}/${encodeURIComponent(file.name)}`,
          ...(file.type ? { content_type: file.type } : {}),
          bytes: file.bytes,
        };
      }),
      ...(nonce ? { nonce } : {}),
      createdAt: Date.now(),
      author: bot.id,
    };
    messages.set(id, message);
    return ok(publicMessage(message));
  }

  /** Routes under /api/v10, as "<METHOD> <path>" → the name calls and faults use. */
  const routes: [string, RegExp, string][] = [
    ["GET", /^\/users\/@me$/, "getCurrentUser"],
    ["GET", /^\/users\/@me\/guilds$/, "getCurrentUserGuilds"],
    ["GET", /^\/guilds\/(\d+)$/, "getGuild"],
    ["GET", /^\/guilds\/(\d+)\/channels$/, "getGuildChannels"],
    ["GET", /^\/guilds\/(\d+)\/threads\/active$/, "getActiveThreads"],
    ["GET", /^\/channels\/(\d+)$/, "getChannel"],
    ["GET", /^\/channels\/(\d+)\/messages$/, "getMessages"],
    ["POST", /^\/channels\/(\d+)\/messages$/, "createMessage"],
    ["DELETE", /^\/channels\/(\d+)\/messages\/(\d+)$/, "deleteMessage"],
    ["POST", /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/, "startThread"],
  ];

  async function api(
    method: string,
    params: string[],
    bot: Bot,
    url: URL,
    contentType: string,
    raw: Buffer,
  ): Promise<Answer & { recorded?: Record<string, string> }> {
    const inGuild = (channel: Channel | undefined) => channel && botGuild(channel.guild_id);
    switch (method) {
      case "getCurrentUser":
        return ok({ id: bot.id, username: bot.username, bot: true, discriminator: "0" });
      case "getCurrentUserGuilds":
        return ok(guilds.map((g) => ({ id: g.id, name: g.name, icon: null, owner: false, permissions: "0", features: [] })));
      case "getGuild": {
        const guild = botGuild(params[0]!);
        return guild ? ok({ id: guild.id, name: guild.name, icon: null, features: [] }) : error("10004");
      }
      case "getGuildChannels": {
        if (!botGuild(params[0]!)) return error("50001");
        return ok([...channels.values()].filter((c) => c.guild_id === params[0] && c.type !== 11).map(publicChannel));
      }
      case "getActiveThreads": {
        if (!botGuild(params[0]!)) return error("50001");
        return ok({ threads: [...channels.values()].filter((c) => c.guild_id === params[0] && c.type === 11).map(publicChannel), members: [] });
      }
      case "getChannel": {
        const channel = channels.get(params[0]!);
        if (!inGuild(channel)) return error("10003");
        return channel!.access === "none" ? error("50001") : ok(publicChannel(channel!));
      }
      case "getMessages": {
        const channel = channels.get(params[0]!);
        if (!inGuild(channel)) return error("10003");
        if (channel!.access === "none") return error("50001");
        const limit = Math.min(Number(url.searchParams.get("limit") ?? 50) || 50, 100);
        const newestFirst = [...messages.values()].filter((m) => m.channel_id === channel!.id).reverse();
        return ok(newestFirst.slice(0, limit).map(publicMessage));
      }
      case "createMessage": {
        const channel = channels.get(params[0]!);
        if (!inGuild(channel)) return error("10003");
        let body;
        try {
          body = await readMessageBody(contentType, raw);
        } catch {
          return error("50035");
        }
        const recorded = {
          ...Object.fromEntries(Object.entries(body.json).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
          ...(body.files.length ? { files: body.files.map((f) => `${f.name} (${f.bytes.length} bytes)`).join(", ") } : {}),
        };
        return { ...createMessage(channel!, bot, body.json, body.files), recorded };
      }
      case "deleteMessage": {
        const message = messages.get(params[1]!);
        if (!message || message.channel_id !== params[0]) return error("10008");
        messages.delete(message.id);
        return { status: 204 };
      }
      case "startThread": {
        const channel = channels.get(params[0]!);
        if (!inGuild(channel)) return error("10003");
        if (channel!.access !== "full") return error(channel!.access === "none" ? "50001" : "50013");
        const message = messages.get(params[1]!);
        if (!message || message.channel_id !== channel!.id) return error("10008");
        if (channels.has(message.id)) return error("160004");
        const json = raw.length ? (JSON.parse(raw.toString("utf8")) as { name?: unknown }) : {};
        if (typeof json.name !== "string" || !json.name || json.name.length > 100) return error("50035");
        const thread: Channel = { id: message.id, guild_id: channel!.guild_id, name: json.name, type: 11, position: 0, parent_id: channel!.id, access: "full" };
        addChannel(thread);
        return ok(publicChannel(thread), 201);
      }
      default:
        return { status: 404, body: { message: "404: Not Found", code: 0 } };
    }
  }

  function tokenExchange(params: URLSearchParams, basic: { id: string; secret: string } | null): Answer {
    const id = params.get("client_id") ?? basic?.id;
    const secret = params.get("client_secret") ?? basic?.secret;
    if (id !== clientId || secret !== clientSecret) return { status: 401, body: { error: "invalid_client" } };
    if (params.get("grant_type") !== "authorization_code") return { status: 400, body: { error: "unsupported_grant_type" } };
    const code = codes.get(params.get("code") ?? "");
    if (!code || code.used) return { status: 400, body: { error: "invalid_grant", error_description: 'Invalid "code" in request.' } };
    if (params.get("redirect_uri") !== code.redirectUri)
      return { status: 400, body: { error: "invalid_grant", error_description: 'Invalid "redirect_uri" in request.' } };
    code.used = true;
    const accessToken = `fake-discord-access-${++counter}-${randomBytes(6).toString("hex")}`;
    return ok({
      token_type: "Bearer",
      access_token: accessToken,
      expires_in: 604_800,
      refresh_token: `fake-discord-refresh-${counter}-${randomBytes(6).toString("hex")}`,
      scope: "bot",
      guild: { id: code.guild.id, name: code.guild.name, icon: null, owner_id: "1100000000000000800", features: [] },
    });
  }

  const served = await serveFake(
    kit,
    {
      name: "fake Discord",
      port: options.port,
      host: options.host,
      portHint: options.portHint,
      crashBody: (detail) => ({ message: `Fake Discord crashed: ${detail}`, code: 0 }),
    },
    async ({ request, response, url, raw, send }) => {
      const reply = (answer: Answer) =>
        answer.status === 204
          ? (response.writeHead(204, answer.headers ?? {}), response.end())
          : send(answer.status, JSON.stringify(answer.body ?? {}), answer.headers);

      if (request.method === "GET" && url.pathname === "/api/oauth2/authorize") {
        const q = Object.fromEntries(url.searchParams);
        if (q.client_id !== clientId)
          return send(400, page("Discord", "<h1>Unknown application</h1><p>client_id is not valid.</p>"), { "content-type": "text/html" });
        const permissions = BigInt(/^\d+$/.test(q.permissions ?? "") ? q.permissions! : "0");
        const asked = permissionNames.filter(([bit]) => (permissions & bit) === bit).map(([, name]) => `<li>${escapeHtml(name)}</li>`);
        const hidden = hiddenInputs(q, ["client_id", "redirect_uri", "state", "scope", "permissions"]);
        return send(
          200,
          page(
            "Fake Discord: add to server",
            `<h1>Flowline wants to add its bot to a server</h1>
<form method="get" action="/api/oauth2/approve">${hidden}
<p><label>Add to server <select name="guild_id">${guilds.map((g) => `<option value="${g.id}">${escapeHtml(g.name)} (${g.id})</option>`).join("")}</select></label></p>
<p>It asks for these permissions (scope <code>${escapeHtml(q.scope ?? "")}</code>):</p><ul>${asked.join("") || "<li>none</li>"}</ul>
<button class="allow" name="decision" value="allow" type="submit">Authorize</button>
<button name="decision" value="deny" type="submit">Cancel</button></form>
<p class="note">This is the local fake Discord (fakes/discord), not Discord.</p>`,
          ),
          { "content-type": "text/html; charset=utf-8" },
        );
      }
      if (request.method === "GET" && url.pathname === "/api/oauth2/approve") {
        const q = Object.fromEntries(url.searchParams);
        const target = new URL(q.redirect_uri ?? "");
        const guild = guilds.find((g) => g.id === q.guild_id) ?? guilds[0]!;
        if (q.decision === "allow") {
          const code = `fake-discord-code-${++counter}-${randomBytes(4).toString("hex")}`;
          codes.set(code, { redirectUri: q.redirect_uri ?? "", used: false, guild });
          target.searchParams.set("code", code);
          target.searchParams.set("guild_id", guild.id);
          target.searchParams.set("permissions", q.permissions ?? "0");
        } else target.searchParams.set("error", "access_denied");
        target.searchParams.set("state", q.state ?? "");
        response.writeHead(302, { location: target.toString() });
        return response.end();
      }
      if (request.method === "POST" && url.pathname === "/api/oauth2/token") {
        const params = new URLSearchParams(raw.toString("utf8"));
        const header = request.headers.authorization ?? "";
        const basicRaw = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString("utf8").split(":") : null;
        const basic = basicRaw ? { id: decodeURIComponent(basicRaw[0] ?? ""), secret: decodeURIComponent(basicRaw.slice(1).join(":")) } : null;
        kit.record({ method: "oauth.token", params: Object.fromEntries(params), token: null });
        if (await kit.play(kit.take("oauth.token"), send)) return;
        return reply(tokenExchange(params, basic));
      }
      if (url.pathname.startsWith("/api/v10/")) {
        const path = url.pathname.slice("/api/v10".length);
        const route = routes.find(([verb, pattern]) => verb === request.method && pattern.test(path));
        if (!route) return reply({ status: 404, body: { message: "404: Not Found", code: 0 } });
        const [, pattern, method] = route;
        const params = [...(pattern.exec(path) ?? [])].slice(1);
        const header = request.headers.authorization ?? "";
        const token = header.startsWith("Bot ") ? header.slice(4) : null;
        const contentType = request.headers["content-type"] ?? "";
        const fault = kit.take(method);
        const bot = token ? bots.get(token) : undefined;
        if (!bot) {
          kit.record({ method, params: { path }, token });
          if (await kit.play(fault, send)) return;
          return reply({ status: 401, body: { message: "401: Unauthorized", code: 0 } });
        }
        const { headers, limited } = takeBucket(`${request.method} ${pattern.source}`, params[0] ?? "global");
        if (await kit.play(fault, send)) {
          kit.record({ method, params: { path }, token });
          return;
        }
        if (fault?.type === "error") {
          kit.record({ method, params: { path }, token });
          return reply(error(fault.error));
        }
        if (limited) {
          kit.record({ method, params: { path, limited: "true" }, token });
          return reply(limited);
        }
        const answer = await api(method, params, bot, url, contentType, raw);
        kit.record({ method, params: { path, ...(answer.recorded ?? {}) }, token });
        return reply({ ...answer, headers: { ...headers, ...(answer.headers ?? {}) } });
      }
      send(404, JSON.stringify({ message: "404: Not Found", code: 0 }));
    },
  );
  baseUrl = served.url;

  return {
    url: baseUrl,
    /** For DISCORD_API_URL / REST's `api` (the client adds /v10). */
    apiUrl: `${baseUrl}/api`,
    port: served.port,
    clientId,
    clientSecret,
    /** The app's bot token, for DISCORD_BOT_TOKEN. */
    botToken,
    guilds,
    channels,
    messages,
    bucket,
    calls: kit.calls,
    callsTo: kit.callsTo,
    fail: kit.fail,
    /** A valid bot token of another app, as if pasted from its Developer Portal page. */
    issueBotToken: (username?: string) => issueBotToken(username),
    /** Makes a bot token stop working, as when someone resets it in the Developer Portal. */
    revoke(token: string) {
      bots.delete(token);
    },
    /** A channel id by server and name. */
    channel(name: string, guildId = guilds[0]!.id): string {
      const found = [...channels.values()].find((c) => c.guild_id === guildId && c.name === name);
      if (!found) throw new Error(`the fake has no channel #${name} in ${guildId}`);
      return found.id;
    },
    /** Forgets the rate-limit buckets (and keeps messages). */
    resetBuckets: () => buckets.clear(),
    reset: kit.reset,
    close: served.close,
  };
}
