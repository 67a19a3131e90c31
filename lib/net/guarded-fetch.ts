import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import ipaddr from "ipaddr.js";
import { WorkflowError } from "@/lib/workflow/errors";

// The one way Flowline fetches a URL a user gave (Slack "upload file from a URL", later Doc
// Manager uploads and an HTTP request node). Only public unicast addresses are reached: the host
// is resolved and every address checked at connect time (so a DNS answer cannot change between
// the check and the connection), again on every redirect hop; size and time are capped.
// Local fakes in tests and intranet hosts are reachable only when FLOWLINE_OUTBOUND_ALLOW lists them.

export type GuardedFetchOptions = {
  /** The body is refused beyond this many bytes (declared or streamed). */
  maxBytes: number;
  /** For the whole exchange, redirects included. */
  timeoutMs?: number;
  maxRedirects?: number;
  signal?: AbortSignal;
  /** host or host:port entries reachable even on private addresses; defaults to FLOWLINE_OUTBOUND_ALLOW. */
  allow?: readonly string[];
};

export type GuardedResponse = { status: number; headers: http.IncomingHttpHeaders; body: Buffer; url: string };

const DEFAULTS = { timeoutMs: 30_000, maxRedirects: 5 } as const;

const RANGE_NAMES: Record<string, string> = {
  loopback: "a loopback address",
  private: "a private network address",
  linkLocal: "a link-local address (cloud metadata lives here)",
  carrierGradeNat: "a carrier-grade NAT address",
  multicast: "a multicast address",
  broadcast: "a broadcast address",
  unspecified: "an unspecified address",
  uniqueLocal: "a private (unique local) IPv6 address",
};

/** Why this address may not be fetched, or null when it is a public unicast one. */
export function addressRefusal(address: string): string | null {
  let parsed = ipaddr.parse(address);
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1) goes where the IPv4 address goes.
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  if (range === "unicast") return null;
  // NAT64, 6to4, Teredo and the like tunnel to an IPv4 address we cannot vouch for: refused as well.
  return `${address} is ${RANGE_NAMES[range] ?? `a reserved address (${range})`}`;
}

class RefusedDestination extends Error {}

function refuse(url: URL, reason: string): WorkflowError {
  return new WorkflowError("E_VALIDATION", {
    message: `Refused to fetch ${url.origin}: ${reason}. Flowline only fetches public internet addresses`,
    remediation: "Use a publicly reachable http(s) URL; an operator can allow an internal host with FLOWLINE_OUTBOUND_ALLOW",
  });
}

const isAllowed = (url: URL, allow: readonly string[]) => allow.includes(url.hostname) || allow.includes(url.host);

/** dns.lookup that refuses the whole answer when any address in it is not public. */
const guardedLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 0);
    const refusals = addresses.map((entry) => addressRefusal(entry.address)).filter((reason): reason is string => reason !== null);
    if (refusals.length > 0) return callback(new RefusedDestination(`${hostname} resolves to ${refusals[0]}`), "", 0);
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

function requestOnce(url: URL, guarded: boolean, maxBytes: number, signal: AbortSignal): Promise<GuardedResponse> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const request = client.get(url, { signal, ...(guarded ? { lookup: guardedLookup } : {}), headers: { "user-agent": "Flowline" } }, (response) => {
      const status = response.statusCode ?? 0;
      const declared = Number(response.headers["content-length"] ?? 0);
      if (status >= 200 && status < 300 && declared > maxBytes) {
        response.destroy();
        return reject(new WorkflowError("E_VALIDATION", { message: `The file at ${url.origin} is larger than ${formatBytes(maxBytes)}` }));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          response.destroy();
          reject(new WorkflowError("E_VALIDATION", { message: `The file at ${url.origin} is larger than ${formatBytes(maxBytes)}` }));
          return;
        }
        chunks.push(chunk);
      });
      response.on("end", () => resolve({ status, headers: response.headers, body: Buffer.concat(chunks), url: url.toString() }));
      response.on("error", reject);
    });
    request.on("error", reject);
  });
}

const formatBytes = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${bytes} bytes`);

// Read from process.env rather than getEnv(): lib/config/env.ts imports every provider, whose actions
// import this module, so getEnv() here would close an import cycle. env.ts still validates the
// variable at start, so a malformed value stops the app before anything is fetched.
const allowFromEnv = () =>
  (process.env.FLOWLINE_OUTBOUND_ALLOW ?? "")
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);

/** GETs a user-given URL, following up to maxRedirects redirects, each hop checked like the first. */
export async function guardedFetch(rawUrl: string, options: GuardedFetchOptions): Promise<GuardedResponse> {
  const allow = options.allow ?? allowFromEnv();
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxRedirects = options.maxRedirects ?? DEFAULTS.maxRedirects;
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])]);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new WorkflowError("E_VALIDATION", { message: `"${rawUrl.slice(0, 200)}" is not a URL` });
  }
  for (let hop = 0; ; hop++) {
    if (url.protocol !== "http:" && url.protocol !== "https:") throw refuse(url, `only http and https URLs are fetched, not ${url.protocol}`);
    if (url.username || url.password) throw refuse(url, "URLs with a user name or password are not fetched");
    const guarded = !isAllowed(url, allow);
    // Node connects to an IP literal without a lookup, so literals are checked here.
    const literal = url.hostname.replace(/^\[|\]$/g, "");
    if (guarded && net.isIP(literal)) {
      const reason = addressRefusal(literal);
      if (reason) throw refuse(url, reason);
    }
    let response: GuardedResponse;
    try {
      response = await requestOnce(url, guarded, options.maxBytes, signal);
    } catch (error) {
      if (error instanceof WorkflowError) throw error;
      if (error instanceof RefusedDestination || (error as { cause?: unknown }).cause instanceof RefusedDestination) {
        throw refuse(url, (error instanceof RefusedDestination ? error : (error as { cause: Error }).cause).message);
      }
      if (options.signal?.aborted) throw error;
      if (signal.aborted) throw new WorkflowError("E_TIMEOUT", { message: `Fetching ${url.origin} took longer than ${Math.round(timeoutMs / 1000)} s` });
      throw new WorkflowError("E_PROVIDER", { message: `Could not fetch ${url.origin}: ${(error as Error).message}`, cause: error });
    }
    const location = response.headers.location;
    if (response.status < 300 || response.status >= 400 || !location) return response;
    if (hop >= maxRedirects) throw new WorkflowError("E_VALIDATION", { message: `${rawUrl.slice(0, 200)} redirects more than ${maxRedirects} times` });
    url = new URL(location, url);
  }
}
