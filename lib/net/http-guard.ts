/**
 * Outbound HTTP for connectors (http_request, llm_chat), guarded against SSRF (docs/connectors.md).
 *
 * Every hop (the first URL and each redirect) goes through `checkTarget`: only http(s), the host
 * resolved once and refused when ANY address it resolves to is private, loopback, link-local,
 * CGNAT, multicast, reserved or a cloud metadata endpoint (`checkHost`, ./host-guard.ts). The
 * connection is then made to the checked address through the socket's `lookup` option, so no
 * second resolution can rebind it, and with `agent: false`, so no pooled socket opened for
 * another check is reused.
 */
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { Readable } from "node:stream";
import zlib from "node:zlib";
import { classifyAddress } from "./address-ranges";
import { checkHost, type CheckedAddress } from "./host-guard";

export { classifyAddress };

export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
export const MAX_REDIRECTS = 5;
export const DEFAULT_TIMEOUT_MS = 30_000;

export type HttpErrorCode =
  | "invalid_url"
  | "invalid_request"
  | "ssrf_blocked"
  | "dns_error"
  | "network_error"
  | "timeout"
  | "aborted"
  | "response_too_large"
  | "too_many_redirects"
  | "http_status"
  | "response_not_json";

/** A failed request. `message` names the origin at most (never headers, paths or query strings). */
export class HttpRequestError extends Error {
  readonly code: HttpErrorCode;
  readonly status?: number;
  /** The response, for `http_status`: kept on the error so the run log can show it. */
  readonly response?: unknown;
  /** `network_error` only: true when no connection was made, so the server never saw the request (safe to send again). */
  readonly notSent?: boolean;

  constructor(code: HttpErrorCode, message: string, extra: { status?: number; response?: unknown; notSent?: boolean } = {}) {
    super(message);
    this.name = "HttpRequestError";
    this.code = code;
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.response !== undefined) this.response = extra.response;
    if (extra.notSent === true) this.notSent = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Address classification

export interface CheckedTarget {
  url: URL;
  /** Every address the host resolved to, all checked: the only ones the connection may use. */
  addresses: CheckedAddress[];
}

/**
 * Parses `url` (WHATWG: decimal, hex and octal IPv4 forms come out dotted), allows only http(s),
 * resolves the host once and checks every address. Throws HttpRequestError `invalid_url`,
 * `dns_error`, `ssrf_blocked`, or the signal's reason when aborted.
 */
export async function checkTarget(
  url: string | URL,
  options: { allowPrivateNetwork: boolean; signal?: AbortSignal },
): Promise<CheckedTarget> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpRequestError("invalid_url", "the URL is not a valid absolute URL");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new HttpRequestError("invalid_url", `only http: and https: URLs are allowed, not ${parsed.protocol}`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new HttpRequestError("invalid_url", "the URL has no host");

  const checked = await checkHost(host, options);
  if (!checked.ok && checked.code === "dns_error") throw new HttpRequestError("dns_error", checked.reason);
  if (!checked.ok) {
    throw new HttpRequestError(
      "ssrf_blocked",
      `refused ${parsed.origin}: ${checked.reason}; this server does not call ${checked.metadata ? "cloud metadata" : "private network"} addresses`,
    );
  }
  return { url: parsed, addresses: checked.addresses };
}

// ---------------------------------------------------------------------------------------------
// The request

export interface GuardedRequest {
  method: string;
  url: string | URL;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Covers the whole exchange: DNS, connects, redirects and reading the body. */
  timeoutMs?: number;
  /** A smaller cap on the response body than MAX_RESPONSE_BYTES (larger values are capped to it). */
  maxResponseBytes?: number;
  /** Headers carrying credentials besides Authorization and Cookie (an API key header): dropped when a redirect leaves the origin. */
  credentialHeaders?: readonly string[];
  allowPrivateNetwork?: boolean;
  signal?: AbortSignal;
}

export interface GuardedResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Decompressed when the server used gzip, deflate or br. */
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect leaves the origin, as fetch and curl do: they carry credentials. */
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie"];

/**
 * Sends one request through the SSRF guard, following up to 5 redirects (each hop re-checked).
 * Returns any status (non-2xx is not an error here). Throws HttpRequestError.
 */
export async function guardedRequest(request: GuardedRequest): Promise<GuardedResponse> {
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = Math.min(request.maxResponseBytes ?? MAX_RESPONSE_BYTES, MAX_RESPONSE_BYTES);
  const credentials = [...CREDENTIAL_HEADERS, ...(request.credentialHeaders ?? []).map((h) => h.toLowerCase())];
  const controller = new AbortController();
  const origin = safeOrigin(request.url);
  const timer = setTimeout(
    () => controller.abort(new HttpRequestError("timeout", `no complete response from ${origin} within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const onCallerAbort = () => controller.abort(new HttpRequestError("aborted", `the request to ${origin} was canceled`));
  if (request.signal?.aborted) onCallerAbort();
  request.signal?.addEventListener("abort", onCallerAbort, { once: true });
  try {
    let method = request.method.toUpperCase();
    let headers: Record<string, string> = { ...request.headers };
    if (!hasHeader(headers, "accept-encoding")) headers["accept-encoding"] = "gzip, deflate, br";
    let body = request.body;
    let url: string | URL = request.url;
    for (let hop = 0; ; hop++) {
      if (controller.signal.aborted) throw controller.signal.reason;
      const target = await checkTarget(url, { allowPrivateNetwork: request.allowPrivateNetwork === true, signal: controller.signal });
      const answer = await exchange(target, method, headers, body, maxBytes, controller.signal);
      if (!("location" in answer)) return { ...answer, url: target.url.href };
      if (hop === MAX_REDIRECTS) {
        throw new HttpRequestError("too_many_redirects", `more than ${MAX_REDIRECTS} redirects starting at ${origin}`);
      }
      let next: URL;
      try {
        next = new URL(answer.location, target.url);
      } catch {
        throw new HttpRequestError("invalid_url", `${target.url.origin} redirected to an invalid URL`);
      }
      // Browsers turn 303 (and 301/302 after a POST) into a GET without a body.
      if ((answer.status === 303 && method !== "HEAD") || ((answer.status === 301 || answer.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
        headers = withoutHeaders(headers, ["content-type", "content-length", "content-encoding", "transfer-encoding"]);
      }
      if (next.origin !== target.url.origin) headers = withoutHeaders(headers, credentials);
      url = next;
    }
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", onCallerAbort);
  }
}

type Answer = { status: number; headers: Record<string, string>; body: Buffer } | { status: number; location: string };

/** One HTTP exchange with the checked address. A redirect answers with its location, unread. */
function exchange(
  target: CheckedTarget,
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const { url, addresses } = target;
    const origin = url.origin;
    let done = false;
    let req: http.ClientRequest | undefined;
    const settle = (action: () => void) => {
      if (done) return;
      done = true;
      signal.removeEventListener("abort", onAbort);
      action();
    };
    const fail = (error: unknown) =>
      settle(() => {
        req?.destroy();
        reject(error);
      });
    const onAbort = () => fail(signal.reason);
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });

    // The pinned lookup: the socket connects to addresses checkTarget approved, nothing else.
    // With `all` (Node's default family autoselection) it may try each of them in turn.
    const pinned: LookupFunction = (_host, opts, callback) => {
      if (opts.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    };
    const sendHeaders = { ...headers };
    if (body !== undefined && !hasHeader(sendHeaders, "content-length")) sendHeaders["content-length"] = String(Buffer.byteLength(body));
    try {
      req = (url.protocol === "https:" ? https : http).request({
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port || undefined,
        path: url.pathname + url.search,
        method,
        headers: sendHeaders,
        auth: url.username || url.password ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
        lookup: pinned,
        agent: false,
      });
    } catch (error) {
      // Node's message names the bad header but not its value; ours says even less.
      return fail(new HttpRequestError("invalid_request", `the request could not be built (${errorCode(error)})`));
    }

    // Until the socket connects, nothing of the request can have reached the server.
    let connected = false;
    req.on("socket", (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once("connect", () => (connected = true));
    });
    req.on("error", (error) =>
      fail(new HttpRequestError("network_error", `request to ${origin} failed (${errorCode(error)})`, { notSent: !connected })),
    );
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location) {
        res.destroy();
        return settle(() => resolve({ status, location }));
      }
      const tooLarge = () => new HttpRequestError("response_too_large", `the response from ${origin} is larger than ${maxBytes} bytes`);
      if (Number(res.headers["content-length"]) > maxBytes) return fail(tooLarge());

      const encoding = (res.headers["content-encoding"] ?? "").trim().toLowerCase();
      const decoder = encoding === "gzip" || encoding === "x-gzip" ? zlib.createGunzip()
        : encoding === "deflate" ? zlib.createInflate()
        : encoding === "br" ? zlib.createBrotliDecompress()
        : null;
      let raw = 0;
      res.on("data", (chunk: Buffer) => {
        raw += chunk.length;
        if (raw > maxBytes) fail(tooLarge());
      });
      res.on("error", (error) => fail(new HttpRequestError("network_error", `reading the response from ${origin} failed (${errorCode(error)})`)));
      res.on("close", () => {
        if (!res.complete) fail(new HttpRequestError("network_error", `${origin} closed the connection before the response ended`));
      });
      const stream: Readable = decoder ? res.pipe(decoder) : res;
      const chunks: Buffer[] = [];
      let size = 0;
      if (decoder) {
        decoder.on("error", () => fail(new HttpRequestError("network_error", `the response from ${origin} is not valid ${encoding}`)));
      }
      stream.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          decoder?.destroy();
          return fail(tooLarge()); // also caps what a small compressed body expands to
        }
        chunks.push(chunk);
      });
      stream.on("end", () => settle(() => resolve({ status, headers: flattenHeaders(res.headers), body: Buffer.concat(chunks) })));
    });
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Whether `headers` has `name`, case-insensitively. */
export function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([h]) => !names.includes(h.toLowerCase())));
}

function safeOrigin(url: string | URL): string {
  try {
    return new URL(url).origin;
  } catch {
    return "an invalid URL";
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "unknown error";
}
