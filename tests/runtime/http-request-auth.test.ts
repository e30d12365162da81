/**
 * http_request for real APIs (docs/connectors.md, "http_request"): auth helpers, form and text
 * bodies, response_type, max_response_bytes, and retries on 429/5xx and failed connections
 * (lib/net/retry.ts), against servers this file starts on 127.0.0.1. The connector is called as
 * the runtime calls it (params parsed, the operator's allow flag set).
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest } from "@/lib/connectors/http_request";
import { directContext } from "../helpers/connectors";
import { HttpRequestError } from "@/lib/net/http-guard";
import { isRetryableStatus, MAX_RETRY_DELAY_MS, RETRY_BASE_DELAY_MS, retryAfterMs, retryDelayMs } from "@/lib/net/retry";
import { until } from "../helpers/until";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

interface Server {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

async function startServer(handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen[]) => void): Promise<Server> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: performance.now() });
      handler(req, res, seen);
    });
  });
  server.on("connection", (socket) => (sockets.add(socket), socket.on("close", () => sockets.delete(socket))));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let api: Server; // echoes requests; scripted failures by path
let other: Server; // another origin, for redirects

beforeAll(async () => {
  other = await startServer((_req, res, seen) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ headers: seen[seen.length - 1].headers }));
  });
  api = await startServer((req, res, seen) => {
    const url = new URL(req.url ?? "/", "http://x");
    const last = seen[seen.length - 1];
    const path = url.pathname;
    // /flaky/<id>?fail=N&status=S&retry_after=V: the first N requests for <id> get S (with Retry-After V).
    if (path.startsWith("/flaky/")) {
      const count = seen.filter((s) => s.url.startsWith(path)).length;
      if (count <= Number(url.searchParams.get("fail") ?? 0)) {
        res.statusCode = Number(url.searchParams.get("status") ?? 503);
        const retryAfter = url.searchParams.get("retry_after");
        if (retryAfter) res.setHeader("retry-after", retryAfter);
        res.setHeader("content-type", "application/json");
        return res.end(JSON.stringify({ error: "try later", attempt: count }));
      }
      res.setHeader("content-type", "application/json");
      return res.end(JSON.stringify({ ok: true, attempt: count }));
    }
    if (path === "/reset") return req.socket.destroy(); // the request arrived, then the connection broke
    if (path === "/to-other") {
      res.statusCode = 302;
      res.setHeader("location", `${other.url}/landing`);
      return res.end();
    }
    if (path === "/to-self") {
      res.statusCode = 302;
      res.setHeader("location", "/echo");
      return res.end();
    }
    if (path === "/bytes") {
      res.setHeader("content-type", "text/plain");
      return res.end("x".repeat(Number(url.searchParams.get("n"))));
    }
    if (path === "/raw") {
      res.setHeader("content-type", url.searchParams.get("type") ?? "text/plain");
      return res.end(url.searchParams.get("body") ?? "");
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ method: last.method, url: last.url, headers: last.headers, body: last.body }));
  });
});
afterAll(async () => {
  await Promise.all([api.close(), other.close()]);
});

interface Output {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}
interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Runs the connector as the runtime would; `logs` collects its ctx.log lines. */
async function run(params: Record<string, unknown>, options: { signal?: AbortSignal; logs?: string[] } = {}): Promise<Output> {
  const ctx = directContext({
    runId: "run_1",
    blockId: "call",
    organizationId: "org_1",
    signal: options.signal ?? new AbortController().signal,
    log: (level, message) => void options.logs?.push(`${level}: ${message}`),
  });
  const parsed = httpRequest.params.parse({ method: "GET", ...params, allow_private_network: true });
  return httpRequest.run!(ctx, parsed) as Promise<Output>;
}

async function failure(promise: Promise<unknown>): Promise<HttpRequestError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpRequestError);
    return error as HttpRequestError;
  }
  throw new Error("expected the request to fail");
}

let flakyId = 0;
const flaky = (query: string) => `${api.url}/flaky/${++flakyId}?${query}`;
const requestsTo = (url: string) => api.seen.filter((s) => s.url.startsWith(new URL(url).pathname));

describe("auth helpers", () => {
  it("bearer sends Authorization: Bearer <token>, replacing an Authorization header given in headers", async () => {
    const out = await run({ url: `${api.url}/echo`, headers: { Authorization: "Basic old", "X-Other": "kept" }, auth: { type: "bearer", token: "tok-123" } });
    const echo = out.body as Echo;
    expect(echo.headers.authorization).toBe("Bearer tok-123");
    expect(echo.headers["x-other"]).toBe("kept");
  });

  it("basic sends base64 of username:password in UTF-8", async () => {
    const out = await run({ url: `${api.url}/echo`, auth: { type: "basic", username: "ada", password: "pä:ss" } });
    const value = (out.body as Echo).headers.authorization;
    expect(value).toBe(`Basic ${Buffer.from("ada:pä:ss", "utf8").toString("base64")}`);
  });

  it("header sends the named header, replacing one of the same name in any case", async () => {
    const out = await run({ url: `${api.url}/echo`, headers: { "x-api-key": "from-headers" }, auth: { type: "header", name: "X-Api-Key", value: "from-auth" } });
    expect((out.body as Echo).headers["x-api-key"]).toBe("from-auth");
  });

  it("an auth header is dropped on a redirect to another origin and kept on a same-origin one", async () => {
    const auth = { type: "header", name: "X-Api-Key", value: "k-1" };
    const away = await run({ url: `${api.url}/to-other`, auth });
    expect((away.body as { headers: Record<string, string> }).headers["x-api-key"]).toBeUndefined();
    const home = await run({ url: `${api.url}/to-self`, auth });
    expect((home.body as Echo).headers["x-api-key"]).toBe("k-1");
  });

  it("an unknown auth type or a header name with a space fails the params schema", () => {
    expect(httpRequest.params.safeParse({ method: "GET", url: "https://x.test", auth: { type: "oauth", token: "t" } }).success).toBe(false);
    expect(httpRequest.params.safeParse({ method: "GET", url: "https://x.test", auth: { type: "header", name: "X Key", value: "v" } }).success).toBe(false);
  });
});

describe("bodies and responses", () => {
  it("body_type form sends an object as application/x-www-form-urlencoded, lists as repeated keys", async () => {
    const out = await run({ method: "POST", url: `${api.url}/echo`, body_type: "form", body: { name: "Ada L", n: 2, ok: true, tag: ["a", "b&c"] } });
    const echo = out.body as Echo;
    expect(echo.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(echo.body).toBe("name=Ada+L&n=2&ok=true&tag=a&tag=b%26c");
  });

  it("body_type text sends the string as text/plain, and a content-type in headers wins", async () => {
    const plain = (await run({ method: "POST", url: `${api.url}/echo`, body_type: "text", body: "hello {world}" })).body as Echo;
    expect(plain.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(plain.body).toBe("hello {world}");
    const csv = (await run({ method: "POST", url: `${api.url}/echo`, body_type: "text", headers: { "content-type": "text/csv" }, body: "a,b" })).body as Echo;
    expect(csv.headers["content-type"]).toBe("text/csv");
  });

  it("body_type json encodes a string body as a JSON string", async () => {
    const echo = (await run({ method: "POST", url: `${api.url}/echo`, body_type: "json", body: "hi" })).body as Echo;
    expect(echo.headers["content-type"]).toBe("application/json");
    expect(echo.body).toBe('"hi"');
  });

  it("a form body that is not a flat object, or a text body that is not a string, is refused by the params schema at body", () => {
    for (const params of [
      { body_type: "form", body: { nested: { a: 1 } } },
      { body_type: "form", body: ["a"] },
      { body_type: "text", body: { a: 1 } },
    ]) {
      const result = httpRequest.params.safeParse({ method: "POST", url: "https://x.test", ...params });
      expect(result.success, JSON.stringify(params)).toBe(false);
      expect(result.error?.issues[0].path).toEqual(["body"]);
    }
  });

  it("response_type text keeps JSON as text; json parses a text/plain body and an empty one is null", async () => {
    const json = `${api.url}/raw?type=application/json&body=${encodeURIComponent('{"a":1}')}`;
    expect((await run({ url: json, response_type: "text" })).body).toBe('{"a":1}');
    expect((await run({ url: json })).body).toEqual({ a: 1 });
    const plain = `${api.url}/raw?type=text/plain&body=${encodeURIComponent("[1,2]")}`;
    expect((await run({ url: plain })).body).toBe("[1,2]");
    expect((await run({ url: plain, response_type: "json" })).body).toEqual([1, 2]);
    expect((await run({ url: `${api.url}/raw?body=`, response_type: "json" })).body).toBeNull();
  });

  it("response_type json on a body that is not JSON fails with response_not_json and the response on the error", async () => {
    const error = await failure(run({ url: `${api.url}/raw?type=text/html&body=${encodeURIComponent("<p>hi</p>")}`, response_type: "json" }));
    expect(error.code).toBe("response_not_json");
    expect(error.response).toMatchObject({ status: 200, body: "<p>hi</p>" });
  });

  it("max_response_bytes caps the body: at the limit it passes, one byte over fails with response_too_large", async () => {
    expect((await run({ url: `${api.url}/bytes?n=100`, max_response_bytes: 100 })).body).toBe("x".repeat(100));
    const error = await failure(run({ url: `${api.url}/bytes?n=101`, max_response_bytes: 100 }));
    expect(error.code).toBe("response_too_large");
    expect(error.message).toContain("100 bytes");
  });
});

describe("retries", () => {
  it("without retries (the default) a 503 is sent once and fails with http_status", async () => {
    const url = flaky("fail=1&status=503");
    expect((await failure(run({ url }))).code).toBe("http_status");
    expect(requestsTo(url)).toHaveLength(1);
  });

  it("retries: 2 sends a request that got 503 twice a third time, and logs each retry with the origin only", async () => {
    const url = flaky("fail=2&status=503");
    const logs: string[] = [];
    const out = await run({ url, retries: 2, headers: { "x-api-key": "hdr-secret" } }, { logs });
    expect(out).toMatchObject({ status: 200, body: { ok: true, attempt: 3 } });
    expect(requestsTo(url)).toHaveLength(3);
    expect(logs).toEqual([
      expect.stringMatching(new RegExp(`^warn: HTTP 503 from ${api.url}; retry 1 of 2 in \\d\\.\\d s$`)),
      expect.stringMatching(new RegExp(`^warn: HTTP 503 from ${api.url}; retry 2 of 2 in \\d\\.\\d s$`)),
    ]);
    expect(logs.join("\n")).not.toMatch(/hdr-secret|flaky/);
  });

  it("the waits grow: the second wait is at least the first backoff step's minimum twice over", async () => {
    const url = flaky("fail=2&status=500");
    await run({ url, retries: 2 });
    const [a, b, c] = requestsTo(url).map((s) => s.at);
    expect(b - a).toBeGreaterThanOrEqual(RETRY_BASE_DELAY_MS / 2 - 20);
    expect(c - b).toBeGreaterThanOrEqual(RETRY_BASE_DELAY_MS - 20);
  });

  it("when every retry gets a 5xx the block fails with http_status, saying how many attempts it made", async () => {
    const url = flaky("fail=99&status=502");
    const error = await failure(run({ url, retries: 1 }));
    expect(error.code).toBe("http_status");
    expect(error.status).toBe(502);
    expect(error.message).toBe(`${api.url} answered HTTP 502 after 2 attempts`);
    expect(requestsTo(url)).toHaveLength(2);
  });

  it("a 429 with Retry-After: 1 is retried no sooner than a second later", async () => {
    const url = flaky("fail=1&status=429&retry_after=1");
    const logs: string[] = [];
    expect((await run({ url, retries: 1 }, { logs })).status).toBe(200);
    const [first, second] = requestsTo(url).map((s) => s.at);
    expect(second - first).toBeGreaterThanOrEqual(990);
    expect(logs[0]).toMatch(/HTTP 429 .* in 1\.0 s \(as Retry-After asked\)$/);
  });

  it("a Retry-After HTTP date is honoured", async () => {
    const when = new Date(Date.now() + 2_000).toUTCString(); // whole seconds: 1–2 s from now
    const url = flaky(`fail=1&status=503&retry_after=${encodeURIComponent(when)}`);
    expect((await run({ url, retries: 1 })).status).toBe(200);
    const [first, second] = requestsTo(url).map((s) => s.at);
    expect(second - first).toBeGreaterThanOrEqual(950);
  });

  it("a Retry-After longer than 30 s is not waited for: the 429 fails at once, and the log says why", async () => {
    const url = flaky("fail=1&status=429&retry_after=120");
    const logs: string[] = [];
    const error = await failure(run({ url, retries: 3 }, { logs }));
    expect(error.status).toBe(429);
    expect(requestsTo(url)).toHaveLength(1);
    expect(logs).toEqual([expect.stringContaining("asked to wait 120 s, longer than the 30 s a retry waits at most; not retried")]);
  });

  it("a refused connection is retried, even for a POST (the server never saw it)", async () => {
    const closed = await startServer(() => undefined);
    const url = `${closed.url}/x`;
    await closed.close();
    const logs: string[] = [];
    const error = await failure(run({ method: "POST", url, body: { a: 1 }, retries: 2 }, { logs }));
    expect(error.code).toBe("network_error");
    expect(error.notSent).toBe(true);
    expect(logs).toHaveLength(2);
    expect(logs[1]).toMatch(/ECONNREFUSED\); retry 2 of 2 in/);
  });

  it("a connection broken after the request arrived is retried for a GET, not for a POST", async () => {
    const before = api.seen.filter((s) => s.url === "/reset").length;
    expect((await failure(run({ method: "POST", url: `${api.url}/reset`, retries: 2 }))).code).toBe("network_error");
    expect(api.seen.filter((s) => s.url === "/reset").length - before).toBe(1);
    expect((await failure(run({ method: "GET", url: `${api.url}/reset`, retries: 2 }))).code).toBe("network_error");
    expect(api.seen.filter((s) => s.url === "/reset").length - before).toBe(4);
  });

  it("canceling the run during a retry wait ends the block with aborted, and no further request is sent", { timeout: 60_000 }, async () => {
    const url = flaky("fail=5&status=503&retry_after=20");
    const controller = new AbortController();
    const pending = failure(run({ url, retries: 1 }, { signal: controller.signal }));
    await until(() => requestsTo(url).length === 1, 10_000, "the first request");
    controller.abort();
    expect((await pending).code).toBe("aborted");
    expect(requestsTo(url)).toHaveLength(1);
  });

  it("retries outside 0–5 fail the params schema", () => {
    for (const retries of [-1, 6, 1.5]) expect(httpRequest.params.safeParse({ method: "GET", url: "https://x.test", retries }).success).toBe(false);
  });
});

describe("retry policy (lib/net/retry.ts)", () => {
  it("retries 429 and 5xx only", () => {
    expect([429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 301, 400, 401, 403, 404, 409, 422].some(isRetryableStatus)).toBe(false);
  });

  it("reads Retry-After as seconds or an HTTP date, and OpenAI's retry-after-ms first", () => {
    const now = Date.parse("2030-01-01T00:00:00Z");
    expect(retryAfterMs({ "retry-after": "3" }, now)).toBe(3_000);
    expect(retryAfterMs({ "retry-after": "0.5" }, now)).toBe(500);
    expect(retryAfterMs({ "retry-after": "Tue, 01 Jan 2030 00:00:07 GMT" }, now)).toBe(7_000);
    expect(retryAfterMs({ "retry-after": "Mon, 31 Dec 2029 23:59:00 GMT" }, now)).toBe(0);
    expect(retryAfterMs({ "retry-after-ms": "250", "retry-after": "9" }, now)).toBe(250);
    expect(retryAfterMs({ "retry-after": "soon" }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });

  it("backs off exponentially with jitter between half and all of each step, capped at 30 s", () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, undefined, () => 0))).toEqual([250, 500, 1_000]);
    expect([1, 2, 3].map((n) => retryDelayMs(n, undefined, () => 0.999999))).toEqual([500, 1_000, 2_000]);
    expect(retryDelayMs(20, undefined, () => 0.999999)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(1, 4_000, () => 0)).toBe(4_000);
    expect(retryDelayMs(1, 90_000, () => 0)).toBe(MAX_RETRY_DELAY_MS);
  });
});
