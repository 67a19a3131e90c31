import diagnostics from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";
import { getEnv } from "@/lib/config/env";

// The client's address, for per-address sign-in throttling. X-Forwarded-For is believed only as
// far as TRUST_PROXY says (a number of proxy hops, or their addresses); otherwise the address of
// the connection counts. Next.js does not hand the socket to route handlers (it only fills
// X-Forwarded-For when the client sent none, so a client could pick its own), so at start the app
// subscribes to Node's http.server.request.start channel and writes the socket's address into
// PEER_HEADER of every request before Next.js reads it, overwriting whatever a client sent there.

export const PEER_HEADER = "x-flowline-peer";
const installed = globalThis as unknown as { __flowlinePeerChannel?: boolean };

/** Called once at start (lib/server/boot.ts), before the first request. */
export function recordPeerAddresses(): void {
  if (installed.__flowlinePeerChannel) return;
  installed.__flowlinePeerChannel = true;
  diagnostics.subscribe("http.server.request.start", (message) => {
    const { request } = message as { request: IncomingMessage };
    request.headers[PEER_HEADER] = request.socket.remoteAddress ?? "";
  });
}

type TrustFn = (address: string, hop: number) => boolean;

/** TRUST_PROXY as proxy-addr's trust function: "2" trusts two hops, "10.0.0.0/8, loopback" those addresses. */
export function proxyTrust(setting: string | undefined): TrustFn {
  if (!setting) return () => false;
  if (/^\d+$/.test(setting)) {
    const hops = Number(setting);
    return (_address, hop) => hop < hops;
  }
  return proxyaddr.compile(setting.split(",").map((entry) => entry.trim()));
}

/** The client's address from a request's headers, or null when the connection's address is unknown (in-process calls). */
export function clientAddress(headers: Record<string, unknown> | Headers | undefined, trust: TrustFn = proxyTrust(getEnv().TRUST_PROXY)): string | null {
  const read = (name: string) => {
    const value = headers instanceof Headers ? headers.get(name) : headers?.[name];
    return typeof value === "string" ? value : undefined;
  };
  const peer = installed.__flowlinePeerChannel ? read(PEER_HEADER) : undefined;
  if (!peer) return null;
  const forwarded = read("x-forwarded-for");
  // proxy-addr walks from the socket outwards through X-Forwarded-For while each hop is trusted.
  const request = { connection: { remoteAddress: peer }, socket: { remoteAddress: peer }, headers: forwarded ? { "x-forwarded-for": forwarded } : {} };
  return proxyaddr(request as unknown as IncomingMessage, trust);
}
