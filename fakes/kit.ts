import http from "node:http";
import net, { type AddressInfo } from "node:net";

// What every fake provider shares: a record of the calls it received and a book of faults to
// play, both reachable over HTTP (/__fake/…) so tests in another process, and people trying the
// sandbox, can drive them from outside:
//   POST /__fake/faults {"method": "chat.postMessage", "fault": {"type": "http", "status": 401}, "times": 1}
//   GET  /__fake/calls?method=chat.postMessage
//   POST /__fake/reset

export type Fault =
  | { type: "http"; status: number }
  | { type: "ratelimit"; retryAfter: number }
  /** Answers nothing for `ms` (default 30 s), then an error: the client's timeout should fire first. */
  | { type: "timeout"; ms?: number }
  /** Waits, then answers normally. */
  | { type: "delay"; ms: number }
  /** A 200 whose body is not what the API speaks. */
  | { type: "malformed" }
  /** A provider-specific error code (Slack: {ok: false, error}). */
  | { type: "error"; error: string };

export type RecordedCall = { method: string; params: Record<string, string>; token: string | null; at: number };

export type Send = (status: number, body: string | Buffer, headers?: Record<string, string>) => void;

const faultSchemaTypes = new Set(["http", "ratelimit", "timeout", "delay", "malformed", "error"]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createFakeKit(options: { errorBody: (code: string) => unknown }) {
  const calls: RecordedCall[] = [];
  const faults: { method: string; fault: Fault; times: number }[] = [];
  const json = (value: unknown) => JSON.stringify(value);

  const kit = {
    calls,
    record(call: Omit<RecordedCall, "at">) {
      calls.push({ ...call, at: Date.now() });
    },
    /** Calls of one method, in order. */
    callsTo: (method: string) => calls.filter((c) => c.method === method),
    /** Makes the next `times` calls of a method ("*" for any) fail or stall. */
    fail(method: string, fault: Fault, times = 1) {
      faults.push({ method, fault, times });
    },
    /** The fault to play for this call, if any (each play uses one of its times). */
    take(method: string): Fault | null {
      const index = faults.findIndex((f) => f.method === method || f.method === "*");
      if (index < 0) return null;
      const entry = faults[index]!;
      if (--entry.times <= 0) faults.splice(index, 1);
      return entry.fault;
    },
    reset() {
      calls.length = 0;
      faults.length = 0;
    },
    /**
     * Plays the generic part of a fault: answers it and returns true, or (delay, provider errors)
     * returns false for the provider to go on.
     */
    async play(fault: Fault | null, send: Send): Promise<boolean> {
      if (!fault) return false;
      switch (fault.type) {
        case "http":
          send(fault.status, json(options.errorBody(fault.status === 401 ? "invalid_auth" : "fatal_error")));
          return true;
        case "ratelimit":
          send(429, json(options.errorBody("ratelimited")), { "retry-after": String(fault.retryAfter) });
          return true;
        case "timeout":
          await sleep(fault.ms ?? 30_000);
          send(504, json(options.errorBody("request_timeout")));
          return true;
        case "malformed":
          send(200, "<html>this is not JSON</html>");
          return true;
        case "delay":
          await sleep(fault.ms);
          return false;
        case "error":
          return false;
      }
    },
    /** Serves /__fake/… (control over HTTP); returns false for any other path. */
    control(request: http.IncomingMessage, url: URL, raw: Buffer, send: Send): boolean {
      if (!url.pathname.startsWith("/__fake/")) return false;
      if (request.method === "GET" && url.pathname === "/__fake/calls") {
        const method = url.searchParams.get("method");
        send(200, json({ calls: method ? kit.callsTo(method) : calls }));
      } else if (request.method === "POST" && url.pathname === "/__fake/faults") {
        let body: { method?: unknown; fault?: { type?: unknown }; times?: unknown } = {};
        try {
          body = JSON.parse(raw.toString("utf8") || "{}") as typeof body;
        } catch {
          send(400, json({ error: "send JSON: {method, fault, times}" }));
          return true;
        }
        if (typeof body.method !== "string" || !body.fault || !faultSchemaTypes.has(String(body.fault.type))) {
          send(400, json({ error: `method (a string) and fault.type (one of ${[...faultSchemaTypes].join(", ")}) are required` }));
          return true;
        }
        kit.fail(body.method, body.fault as Fault, typeof body.times === "number" && body.times > 0 ? body.times : 1);
        send(201, json({ queued: faults.length }));
      } else if (request.method === "POST" && url.pathname === "/__fake/reset") {
        kit.reset();
        send(200, json({ reset: true }));
      } else {
        send(404, json({ error: "unknown control path: GET /__fake/calls, POST /__fake/faults, POST /__fake/reset" }));
      }
      return true;
    },
  };
  return kit;
}

/** The whole request body. */
export async function readBody(request: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Drives a fake's faults over HTTP, as a test in another process would. */
export function faultControl(baseUrl: string) {
  return {
    async fail(method: string, fault: Fault, times = 1) {
      const response = await fetch(`${baseUrl}/__fake/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ method, fault, times }),
      });
      if (!response.ok) throw new Error(`the fake refused the fault: ${await response.text()}`);
    },
    async calls(method?: string): Promise<RecordedCall[]> {
      const response = await fetch(`${baseUrl}/__fake/calls${method ? `?method=${encodeURIComponent(method)}` : ""}`);
      return ((await response.json()) as { calls: RecordedCall[] }).calls;
    },
    async reset() {
      await fetch(`${baseUrl}/__fake/reset`, { method: "POST" });
    },
  };
}

/** What a fake's request handler gets: the request, its URL and whole body, and a JSON `send`. */
export type FakeRequest = { request: http.IncomingMessage; response: http.ServerResponse; url: URL; raw: Buffer; send: Send };

/** A fake's port was taken: says which, and how to choose another. */
export class PortBusyError extends Error {
  constructor(
    readonly fake: string,
    readonly port: number,
    readonly hint: string,
  ) {
    super(`The ${fake} cannot listen on port ${port}: something else is using it. ${hint}`);
    this.name = "PortBusyError";
  }
}

type ListenOptions = { name: string; port?: number | undefined; host?: string | undefined; portHint?: string | undefined };

function listen(server: http.Server | net.Server, options: ListenOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new PortBusyError(options.name, options.port ?? 0, options.portHint ?? "Stop what runs there, or choose another port.")
          : error,
      ),
    );
    server.listen(options.port ?? 0, options.host, () => resolve());
  });
}

/** Throws a PortBusyError when something already listens on the port (checked before starting a child that would only print a stack). */
export async function assertPortFree(options: ListenOptions & { port: number }): Promise<void> {
  const probe = net.createServer();
  await listen(probe, options);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/**
 * The HTTP server every fake runs: /__fake/ control and /health answered here, a crash in the
 * handler answered as a 500 in the provider's error shape, and a busy port reported by name.
 */
export async function serveFake(
  kit: ReturnType<typeof createFakeKit>,
  options: { name: string; port?: number; host?: string; portHint?: string; crashBody: (message: string) => unknown },
  handle: (request: FakeRequest) => Promise<unknown>,
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://fake.local");
    const send: Send = (status, body, headers = {}) => {
      if (response.headersSent || response.destroyed) return;
      response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      response.end(body);
    };
    try {
      const raw = await readBody(request);
      if (kit.control(request, url, raw, send)) return;
      if (request.method === "GET" && url.pathname === "/health") return send(200, JSON.stringify({ ok: true }));
      await handle({ request, response, url, raw, send });
    } catch (error) {
      send(500, JSON.stringify(options.crashBody((error as Error).message)));
    }
  });
  const host = options.host ?? "127.0.0.1";
  await listen(server, { ...options, host });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A consent page's form carries the authorize request's parameters on to the approve step. */
export const hiddenInputs = (query: Record<string, string | undefined>, names: readonly string[]) =>
  names.map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(query[name] ?? "")}">`).join("");

/** The scopes an authorize request asks for, as list items (each provider has its own separator). */
export const scopeItems = (scope: string | undefined, separator: string) =>
  (scope ?? "")
    .split(separator)
    .filter(Boolean)
    .map((s) => `<li><code>${escapeHtml(s)}</code></li>`)
    .join("");

/** A fake's consent page, in the provider's colours. */
export const consentPage = (
  look: { lang: string; background: string; accent: string },
  title: string,
  body: string,
) => `<!doctype html><html lang="${look.lang}"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;background:${look.background};margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;border-radius:12px;padding:32px;max-width:460px;box-shadow:0 2px 12px #0002}h1{font-size:20px}
button{font-size:15px;padding:10px 18px;border-radius:6px;border:1px solid #ccc;cursor:pointer;margin-right:8px}
.allow{background:${look.accent};color:#fff;border-color:${look.accent}}li{margin:4px 0}.note{color:#666;font-size:13px}</style></head><body><main>${body}</main></body></html>`;
