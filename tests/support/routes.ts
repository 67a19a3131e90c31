import fs from "node:fs";
import path from "node:path";

// Finds the app's route handlers on disk and calls them like Next.js would, in-process: the real
// handler, the real database, a real Request. Used by API and isolation tests.

export type RouteFile = { file: string; /** e.g. /api/v1/workflows/[id] */ pattern: string };

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

const appDir = path.join(process.cwd(), "app");

export const appFiles = () => filesUnder(appDir).filter((file) => /\.(ts|tsx)$/.test(file));

// Found once per file: callRoute looks a handler up on every request, and the fuzz test sends thousands.
let found: readonly RouteFile[] | undefined;

export function routeFiles(): readonly RouteFile[] {
  return (found ??= appFiles()
    .filter((file) => path.basename(file) === "route.ts")
    .map((file) => ({
      file,
      pattern:
        "/" +
        path
          .relative(appDir, path.dirname(file))
          .split(path.sep)
          .filter((segment) => !/^\(.*\)$/.test(segment))
          .join("/"),
    })));
}

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

const matchers = new Map<string, { regex: RegExp; names: string[] }>();

function match(pattern: string, pathname: string): Record<string, string> | null {
  let matcher = matchers.get(pattern);
  if (!matcher) {
    const names: string[] = [];
    const regex = new RegExp(
      "^" + pattern.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, (_m, name: string) => (names.push(name), "([^/]+)")).replace(/\./g, "\\.") + "$",
    );
    matchers.set(pattern, (matcher = { regex, names }));
  }
  const { regex, names } = matcher;
  const found = pathname.match(regex);
  return found ? Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1]!)])) : null;
}

/** Sends a request to the route handler that serves its path. */
export async function callRoute(
  method: string,
  url: string,
  options: {
    key?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    /** Given the request the handler got, once it has answered (the fuzz test asks whether the body was read). */
    answered?: (request: Request) => void;
  } = {},
): Promise<Response> {
  const { pathname } = new URL(url, "http://app.test");
  const candidates = routeFiles()
    .map((route) => ({ route, params: match(route.pattern, pathname) }))
    .filter((c) => c.params)
    // static segments win over dynamic ones, as in Next.js
    .sort((a, b) => (a.route.pattern.match(/\[/g)?.length ?? 0) - (b.route.pattern.match(/\[/g)?.length ?? 0));
  const target = candidates[0];
  if (!target) return new Response(null, { status: 404 });
  const exported = (await import(target.route.file)) as Record<string, Handler | undefined>;
  const handler = exported[method];
  if (!handler) return new Response(null, { status: 405 });
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const request = new Request(new URL(url, "http://app.test"), {
    method,
    headers: { "content-type": "application/json", ...(options.key ? { authorization: `Bearer ${options.key}` } : {}), ...options.headers },
    body,
  });
  const response = await handler(request, { params: Promise.resolve(target.params!) });
  options.answered?.(request);
  return response;
}

/**
 * A route's JSON answer, read loosely: tests walk into it freely and their assertions check its
 * shape (the OpenAPI test checks the declared schemas).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const jsonOf = async (response: Response) => (await response.json()) as Record<string, any>;
