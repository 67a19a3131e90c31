import { afterEach, describe, expect, it, vi } from "vitest";
import { readJson, route } from "@/lib/http/route";
import { logger } from "@/lib/log";

// Reading request bodies at the boundary: a client that goes away mid-body is not a server error.

afterEach(() => vi.restoreAllMocks());

/** A body that sends a first chunk, then fails the way Node's request stream does when the client disconnects. */
function abortedBody(): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(new TextEncoder().encode('{"name":"half'));
      } else controller.error(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
    },
  });
}

describe("reading a request body", () => {
  it("answers 400 and logs at info, not error, when the client disconnects mid-body", async () => {
    const errors = vi.spyOn(logger, "error");
    const infos = vi.spyOn(logger, "info");
    const handler = route(async (request: Request) => Response.json(await readJson(request)));
    const request = new Request("http://app.test/api/v1/workflows", { method: "POST", body: abortedBody(), duplex: "half" } as RequestInit);
    const response = await handler(request, {});
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe("The request body was not received completely");
    expect(errors).not.toHaveBeenCalled();
    expect(infos).toHaveBeenCalledWith(expect.objectContaining({ url: "/api/v1/workflows" }), expect.stringContaining("client closed the connection"));
  });

  it("cuts off a body that streams past the limit without a Content-Length", async () => {
    const chunk = new Uint8Array(256 * 1024).fill(0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const handler = route(async (request: Request) => Response.json(await readJson(request)));
    const response = await handler(new Request("http://app.test/x", { method: "POST", body, duplex: "half" } as RequestInit), {});
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(8);
  });
});
