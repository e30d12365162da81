/**
 * The http_request connector and its SSRF guard. Every request here goes to servers this file
 * starts on 127.0.0.1. Refusals of addresses that are not on this machine (10.x, 169.254.169.254…)
 * are tested through `checkTarget`, which never connects, so a broken guard cannot send traffic
 * anywhere; refusals that go through the full request path all point at 127.0.0.1/::1, where a
 * trap server counts connections to prove that none was made.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest } from "@/lib/connectors/http_request";
import type { ConnectorContext } from "@/lib/engine/connector";
import { directContext } from "../helpers/connectors";
import { checkTarget, classifyAddress, guardedRequest, HttpRequestError, MAX_RESPONSE_BYTES } from "@/lib/net/http-guard";
import { until } from "../helpers/until";

interface TestServer {
  port: number;
  url: string;
  requests: number;
  connections: number;
  close(): Promise<void>;
}

async function startServer(handler: http.RequestListener): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    state.requests++;
    handler(req, res);
  });
  const state: TestServer = {
    port: 0,
    url: "",
    requests: 0,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on("connection", (socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}`;
  return state;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

const SIX_MB = Buffer.alloc(6 * 1024 * 1024, "a");

let server: TestServer; // the well-behaved server, reached with allowPrivateNetwork
let other: TestServer; // a second origin, for cross-origin redirects
let trap: TestServer; // must never see a connection

beforeAll(async () => {
  other = await startServer(async (req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ method: req.method, headers: req.headers }));
  });
  trap = await startServer((_req, res) => res.end("reached"));
  server = await startServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    if (path === "/json") {
      res.setHeader("content-type", "application/json; charset=utf-8");
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.setHeader("X-Mixed-Case", "yes");
      return res.end(JSON.stringify({ hello: "world", n: 1 }));
    }
    if (path === "/text") {
      res.setHeader("content-type", "text/plain");
      return res.end("plain text");
    }
    if (path === "/bad-json") {
      res.setHeader("content-type", "application/json");
      return res.end("{not json");
    }
    if (path === "/echo") {
      const body = await readBody(req);
      res.setHeader("content-type", "application/json");
      return res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    }
    if (path.startsWith("/status/")) {
      res.statusCode = Number(path.slice(8));
      res.setHeader("content-type", "application/json");
      return res.end(JSON.stringify({ error: "nope" }));
    }
    if (path.startsWith("/redirect/")) {
      const left = Number(path.slice(10));
      res.statusCode = 302;
      res.setHeader("location", left > 1 ? `/redirect/${left - 1}` : "/json");
      return res.end();
    }
    if (path === "/see-other") {
      res.statusCode = 303;
      res.setHeader("location", "/echo");
      return res.end();
    }
    if (path === "/temporary") {
      res.statusCode = 307;
      res.setHeader("location", "/echo");
      return res.end();
    }
    if (path === "/to") {
      res.statusCode = 302;
      res.setHeader("location", url.searchParams.get("location") ?? "/");
      return res.end();
    }
    if (path === "/big") {
      res.setHeader("content-length", String(SIX_MB.length));
      return res.end(SIX_MB);
    }
    if (path === "/declared-big") {
      // Declares 6 MB, sends one byte and stalls: only the Content-Length check can fail this fast.
      res.setHeader("content-length", String(SIX_MB.length));
      res.write("a");
      return;
    }
    if (path === "/big-chunked") {
      // No content-length: the cap must be enforced while reading.
      for (let i = 0; i < 6; i++) res.write(SIX_MB.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
      return res.end();
    }
    if (path === "/gzip") {
      res.setHeader("content-type", "application/json");
      res.setHeader("content-encoding", "gzip");
      return res.end(zlib.gzipSync(JSON.stringify({ zipped: true })));
    }
    if (path === "/gzip-bomb") {
      res.setHeader("content-encoding", "gzip");
      return res.end(zlib.gzipSync(Buffer.alloc(20 * 1024 * 1024))); // ~20 KB on the wire
    }
    if (path === "/hang") return; // never answers
    if (path === "/slow-body") {
      res.setHeader("content-type", "text/plain");
      res.flushHeaders();
      res.write("start"); // …and never ends
      return;
    }
    res.statusCode = 404;
    res.end();
  });
});

afterAll(async () => {
  await Promise.all([server.close(), other.close(), trap.close()]);
});

function context(signal = new AbortController().signal): ConnectorContext {
  return directContext({ runId: "run_1", blockId: "call", organizationId: "org_1", signal });
}

/** Runs the connector as the runtime would: params parsed, hidden allow flag set by the operator. */
async function run(params: Record<string, unknown>, options: { allowPrivate?: boolean; signal?: AbortSignal } = {}) {
  const parsed = httpRequest.params.parse({ method: "GET", ...params, allow_private_network: options.allowPrivate ?? true });
  return httpRequest.run!(context(options.signal), parsed) as Promise<{ status: number; headers: Record<string, string>; body: unknown }>;
}

/** The HttpRequestError a promise rejects with (fails the test when it resolves or throws anything else). */
async function failure(promise: Promise<unknown>): Promise<HttpRequestError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpRequestError);
    return error as HttpRequestError;
  }
  throw new Error("expected the request to fail");
}

describe("SSRF guard: refusals happen before any connection", () => {
  const loopbackForms = [
    ["127.0.0.1", (p: number) => `http://127.0.0.1:${p}/`],
    ["::1", (p: number) => `http://[::1]:${p}/`],
    ["IPv4-mapped ::ffff:127.0.0.1", (p: number) => `http://[::ffff:127.0.0.1]:${p}/`],
    ["decimal 2130706433", (p: number) => `http://2130706433:${p}/`],
    ["hex/short 0x7f.1", (p: number) => `http://0x7f.1:${p}/`],
    ["octal 0177.0.0.1", (p: number) => `http://0177.0.0.1:${p}/`],
    ["a hostname resolving to loopback (localhost)", (p: number) => `http://localhost:${p}/`],
  ] as const;

  for (const [name, url] of loopbackForms) {
    it(`refuses ${name} without connecting when private networks are not allowed`, async () => {
      const before = trap.connections;
      const error = await failure(run({ url: url(trap.port) }, { allowPrivate: false }));
      expect(error.code).toBe("ssrf_blocked");
      expect(error.message).toMatch(/loopback/);
      expect(trap.connections).toBe(before);
      expect(trap.requests).toBe(0);
    });
  }

  it("the same loopback URL is reached when the operator allows private networks (the trap works)", async () => {
    const probe = await startServer((_req, res) => res.end("ok"));
    try {
      const out = await run({ url: `${probe.url}/` }, { allowPrivate: true });
      expect(out.body).toBe("ok");
      expect(probe.connections).toBe(1);
    } finally {
      await probe.close();
    }
  });

  const blockedTargets = [
    ["a private 10.x address", "http://10.1.2.3/", "private"],
    ["the cloud metadata address", "http://169.254.169.254/latest/meta-data", "cloud metadata"],
    ["AWS's IPv6 metadata address", "http://[fd00:ec2::254]/latest/meta-data", "cloud metadata"],
    ["Alibaba's metadata address", "http://100.100.100.200/latest/meta-data", "cloud metadata"],
    ["a link-local address", "http://169.254.1.1/", "link-local"],
    ["a 172.16/12 address", "http://172.20.0.1/", "private"],
    ["a 192.168/16 address", "http://192.168.1.1/", "private"],
    ["a CGNAT address", "http://100.64.0.1/", "CGNAT"],
    ["the unspecified address 0 (0.0.0.0)", "http://0/", "unspecified"],
    ["the IPv6 unspecified address", "http://[::]/", "unspecified"],
    ["a multicast address", "http://224.0.0.1/", "multicast"],
    ["the broadcast address", "http://255.255.255.255/", "reserved"],
    ["an IPv6 unique-local address", "http://[fd12:3456::1]/", "unique-local"],
    ["an IPv6 link-local address", "http://[fe80::1]/", "link-local"],
    ["an IPv6 multicast address", "http://[ff02::1]/", "multicast"],
    ["IPv4-mapped 10.0.0.1 in hex form", "http://[::ffff:a00:1]/", "private"],
    ["NAT64 of loopback", "http://[64:ff9b::7f00:1]/", "loopback"],
    ["6to4 of loopback", "http://[2002:7f00:1::]/", "loopback"],
    ["decimal form of 10.0.0.1", "http://167772161/", "private"],
  ] as const;

  for (const [name, url, kind] of blockedTargets) {
    it(`checkTarget refuses ${name}`, async () => {
      const error = await failure(checkTarget(url, { allowPrivateNetwork: false }));
      expect(error.code).toBe("ssrf_blocked");
      expect(error.message).toContain(kind);
    });
  }

  it("checkTarget (the per-hop check) refuses a redirect Location to loopback or metadata", async () => {
    for (const location of ["http://127.0.0.1/", "http://169.254.169.254/latest/meta-data/iam/"]) {
      const next = new URL(location, `${server.url}/to`);
      expect((await failure(checkTarget(next, { allowPrivateNetwork: false }))).code).toBe("ssrf_blocked");
    }
  });

  it("cloud metadata addresses stay refused even when private networks are allowed", async () => {
    for (const url of ["http://169.254.169.254/", "http://[::ffff:169.254.169.254]/", "http://[fd00:ec2::254]/", "http://168.63.129.16/"]) {
      const error = await failure(checkTarget(url, { allowPrivateNetwork: true }));
      expect(error.code).toBe("ssrf_blocked");
      expect(error.message).toContain("cloud metadata");
    }
  });

  it("public addresses pass the check (checked only, never connected to)", async () => {
    for (const url of ["http://93.184.215.14/", "https://8.8.8.8:443/x", "http://[2606:4700:4700::1111]/", "http://[::ffff:8.8.8.8]/"]) {
      const target = await checkTarget(url, { allowPrivateNetwork: false });
      expect(target.addresses.map((a) => a.address)).toEqual([new URL(url).hostname.replace(/^\[(.*)\]$/, "$1")]);
    }
  });

  it("classifies each special-purpose range and leaves public addresses alone", () => {
    expect(classifyAddress("127.255.0.1")?.kind).toBe("loopback");
    expect(classifyAddress("172.31.255.255")?.kind).toBe("private");
    expect(classifyAddress("172.32.0.1")).toBeNull();
    expect(classifyAddress("100.63.255.255")).toBeNull();
    expect(classifyAddress("100.128.0.0")).toBeNull();
    expect(classifyAddress("::ffff:127.0.0.1")?.kind).toBe("IPv4-mapped loopback");
    expect(classifyAddress("fe80::1%eth0")?.kind).toBe("link-local");
    expect(classifyAddress("64:ff9b::808:808")).toBeNull();
    expect(classifyAddress("2a00:1450:4001::1")).toBeNull();
    expect(classifyAddress("not an ip")?.kind).toBe("unrecognized");
  });

  it("a redirect is checked again: a hop to a forbidden scheme fails before it is followed", async () => {
    const error = await failure(run({ url: `${server.url}/to?location=${encodeURIComponent("ftp://127.0.0.1/x")}` }));
    expect(error.code).toBe("invalid_url");
  });

  it("only http: and https: URLs are accepted", async () => {
    expect((await failure(run({ url: "ftp://127.0.0.1/file" }))).code).toBe("invalid_url");
    expect((await failure(run({ url: "file:///etc/passwd" }))).code).toBe("invalid_url");
    expect((await failure(run({ url: "not a url" }))).code).toBe("invalid_url");
  });
});

describe("http_request connector (private network allowed for the local test server)", () => {
  it("parses a JSON body and gives headers with lower-case names as strings", async () => {
    const out = await run({ url: `${server.url}/json` });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ hello: "world", n: 1 });
    expect(out.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(out.headers["x-mixed-case"]).toBe("yes");
    expect(out.headers["set-cookie"]).toBe("a=1, b=2");
  });

  it("a hostname is connected to at its checked address and still sent as the Host header", async () => {
    const out = await run({ url: `http://localhost:${server.port}/echo` });
    expect((out.body as { headers: Record<string, string> }).headers.host).toBe(`localhost:${server.port}`);
  });

  it("returns a text body as text, and JSON that does not parse as text", async () => {
    expect((await run({ url: `${server.url}/text` })).body).toBe("plain text");
    expect((await run({ url: `${server.url}/bad-json` })).body).toBe("{not json");
  });

  it("sends an object body as JSON with its content type, and the given headers", async () => {
    const out = await run({ method: "POST", url: `${server.url}/echo`, headers: { "X-Custom": "v1" }, body: { a: [1, 2] } });
    const echo = out.body as { method: string; headers: Record<string, string>; body: string };
    expect(echo.method).toBe("POST");
    expect(echo.headers["content-type"]).toBe("application/json");
    expect(echo.headers["x-custom"]).toBe("v1");
    expect(JSON.parse(echo.body)).toEqual({ a: [1, 2] });
  });

  it("sends a string body as-is and keeps a content type the caller set", async () => {
    const out = await run({ method: "PUT", url: `${server.url}/echo`, headers: { "Content-Type": "text/csv" }, body: "a,b\n1,2" });
    const echo = out.body as { headers: Record<string, string>; body: string };
    expect(echo.body).toBe("a,b\n1,2");
    expect(echo.headers["content-type"]).toBe("text/csv");
  });

  it("adds query params to the URL, keeping the ones already there", async () => {
    const out = await run({ url: `${server.url}/echo?a=1`, query: { b: 2, c: true, "d e": "x&y" } });
    expect((out.body as { url: string }).url).toBe("/echo?a=1&b=2&c=true&d+e=x%26y");
  });

  it("decompresses a gzip response", async () => {
    expect((await run({ url: `${server.url}/gzip` })).body).toEqual({ zipped: true });
  });

  it("a non-2xx status fails with http_status and the response on the error", async () => {
    const error = await failure(run({ url: `${server.url}/status/404`, headers: { authorization: "Bearer s3cr3t-token" } }));
    expect(error.code).toBe("http_status");
    expect(error.status).toBe(404);
    expect(error.response).toMatchObject({ status: 404, body: { error: "nope" }, headers: { "content-type": "application/json" } });
    expect(error.message).toContain("404");
    expect(error.message).not.toContain("s3cr3t");
  });

  it("with fail_on_status false a non-2xx status is an output", async () => {
    const out = await run({ url: `${server.url}/status/503`, fail_on_status: false });
    expect(out.status).toBe(503);
    expect(out.body).toEqual({ error: "nope" });
  });

  it("times out with code timeout when the server never answers, after waiting the timeout", async () => {
    const started = Date.now();
    const error = await failure(run({ url: `${server.url}/hang`, timeout_ms: 200 }));
    expect(error.code).toBe("timeout");
    expect(error.message).toContain("within 200 ms");
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("the timeout also covers reading the body", async () => {
    const error = await failure(run({ url: `${server.url}/slow-body`, timeout_ms: 300 }));
    expect(error.code).toBe("timeout");
  });

  it("the run's signal cancels the request in flight with code aborted (not timeout)", async () => {
    const controller = new AbortController();
    const before = server.requests;
    const pending = failure(run({ url: `${server.url}/hang`, timeout_ms: 300_000 }, { signal: controller.signal }));
    await until(() => server.requests > before, 10_000, "the request to reach the server");
    controller.abort();
    expect((await pending).code).toBe("aborted");
  });

  it("a response over 5 MB fails with response_too_large, by Content-Length or while reading", async () => {
    expect(SIX_MB.length).toBeGreaterThan(MAX_RESPONSE_BYTES);
    expect((await failure(run({ url: `${server.url}/big` }))).code).toBe("response_too_large");
    expect((await failure(run({ url: `${server.url}/big-chunked` }))).code).toBe("response_too_large");
  });

  it("a declared Content-Length over 5 MB fails at once, without waiting for the body", async () => {
    // The server sends one byte and stalls: waiting for the body would end in `timeout` instead.
    expect((await failure(run({ url: `${server.url}/declared-big`, timeout_ms: 5_000 }))).code).toBe("response_too_large");
  });

  it("a small compressed body that expands past 5 MB fails with response_too_large", async () => {
    expect((await failure(run({ url: `${server.url}/gzip-bomb` }))).code).toBe("response_too_large");
  });

  it("follows a chain of 5 redirects", async () => {
    const out = await run({ url: `${server.url}/redirect/5` });
    expect(out.body).toEqual({ hello: "world", n: 1 });
  });

  it("more than 5 redirects fail with too_many_redirects", async () => {
    expect((await failure(run({ url: `${server.url}/redirect/6` }))).code).toBe("too_many_redirects");
  });

  it("a 303 redirect switches a POST to a GET without the body", async () => {
    const out = await run({ method: "POST", url: `${server.url}/see-other`, body: { a: 1 } });
    const echo = out.body as { method: string; body: string; headers: Record<string, string> };
    expect(echo.method).toBe("GET");
    expect(echo.body).toBe("");
    expect(echo.headers["content-type"]).toBeUndefined();
  });

  it("a 307 redirect keeps the method and the body", async () => {
    const out = await run({ method: "POST", url: `${server.url}/temporary`, body: { a: 1 } });
    const echo = out.body as { method: string; body: string };
    expect(echo.method).toBe("POST");
    expect(JSON.parse(echo.body)).toEqual({ a: 1 });
  });

  it("a redirect to another origin drops Authorization and Cookie but keeps other headers", async () => {
    const location = `${other.url}/anything`;
    const out = await run({
      url: `${server.url}/to?location=${encodeURIComponent(location)}`,
      headers: { Authorization: "Bearer s3cr3t", Cookie: "sid=1", "X-Trace": "t1" },
    });
    const echo = out.body as { headers: Record<string, string> };
    expect(echo.headers.authorization).toBeUndefined();
    expect(echo.headers.cookie).toBeUndefined();
    expect(echo.headers["x-trace"]).toBe("t1");
  });

  it("a same-origin redirect keeps Authorization", async () => {
    const out = await run({ url: `${server.url}/to?location=/echo`, headers: { Authorization: "Bearer s3cr3t" } });
    expect((out.body as { headers: Record<string, string> }).headers.authorization).toBe("Bearer s3cr3t");
  });

  it("error messages never carry request header values", async () => {
    const secret = "s3cr3t-header-value";
    const errors = [
      await failure(run({ url: `${server.url}/hang`, timeout_ms: 100, headers: { "x-api-key": secret } })),
      await failure(run({ url: `${server.url}/big`, headers: { "x-api-key": secret } })),
      await failure(run({ url: `${server.url}/json`, headers: { "x-api-key": `${secret}\r\nInjected: 1` } })),
      await failure(run({ url: `http://127.0.0.1:${trap.port}/`, headers: { "x-api-key": secret } }, { allowPrivate: false })),
    ];
    expect(errors.map((e) => e.code)).toEqual(["timeout", "response_too_large", "invalid_request", "ssrf_blocked"]);
    for (const e of errors) expect(`${e.message} ${JSON.stringify(e)}`).not.toContain(secret);
  });

  it("a refused connection is a network_error", async () => {
    const closed = await startServer((_req, res) => res.end());
    const port = closed.port;
    await closed.close();
    expect((await failure(guardedRequest({ method: "GET", url: `http://127.0.0.1:${port}/`, allowPrivateNetwork: true }))).code).toBe(
      "network_error",
    );
  });
});
