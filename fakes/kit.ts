import type http from "node:http";

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

export type Send = (status: number, body: string, headers?: Record<string, string>) => void;

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
      const response = await fetch(`${baseUrl}/__fake/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ method, fault, times }) });
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
