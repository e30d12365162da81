/**
 * Request-level middleware of the control plane: request id + logger, body limit, content type,
 * and the rate limit. Authentication lives in ./middleware/auth.ts.
 */
import { randomUUID } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, Principal } from "./context";
import { errorResponse } from "./errors";
import type { RateLimitDecision, RateLimiter } from "./rate-limit";
import { findJsonProblem, MAX_JSON_DEPTH, type JsonProblem } from "@/lib/engine/json-limits";
import type { Logger } from "@/lib/log";

export const MAX_BODY_BYTES = 1024 * 1024;

/** Gives every request an id (echoed as `x-request-id`) and a child logger carrying it. */
export function requestContext(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && /^[A-Za-z0-9._-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    c.set("requestId", requestId);
    c.set("log", logger.child({ requestId }));
    // Before the handler, so every response Hono builds (c.json, c.body, …) starts with it: set
    // afterwards, Hono copies the finished response to add it (its body read back as a stream).
    c.header("x-request-id", requestId);
    await next();
    // A Response the handler built itself does not carry it.
    if (c.res.headers.get("x-request-id") !== requestId) c.header("x-request-id", requestId);
  };
}

/** The 413 `payload_too_large` answer to a body over MAX_BODY_BYTES. */
export function payloadTooLarge(c: Context): Response {
  return errorResponse(c, 413, "payload_too_large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
}

/**
 * Bodies over 1 MB → 413 `payload_too_large`, before anything reads them. A declared
 * Content-Length is trusted (the server enforces it); a body without one (chunked, or an
 * in-process Request) is read up to the limit and handed on with its length declared, so later
 * middleware can tell an empty body from a non-empty one.
 */
export function limitBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const raw = c.req.raw;
    // Headers first: asking a request from the HTTP server (@hono/node-server's lightweight one)
    // for its `body` makes it build a whole WHATWG Request and stream, most of a tenth of a
    // webhook call's CPU, for a decision its headers make (README, "Benchmarks").
    if (raw.method === "GET" || raw.method === "HEAD") return next();
    const declared = raw.headers.get("content-length");
    if (declared !== null && !raw.headers.has("transfer-encoding")) {
      return Number(declared) > MAX_BODY_BYTES ? payloadTooLarge(c) : next();
    }
    if (!raw.body) return next();
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = raw.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel();
        return payloadTooLarge(c);
      }
      chunks.push(value);
    }
    const headers = new Headers(raw.headers);
    headers.delete("transfer-encoding");
    headers.set("content-length", String(size));
    c.req.raw = new Request(raw, { body: Buffer.concat(chunks), headers });
    return next();
  };
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;.*)?$/i;

/**
 * Bodies must be JSON → else 415 `unsupported_media_type`: a non-empty body needs a JSON
 * Content-Type, and a POST/PUT/PATCH that declares another type is refused even when empty (so
 * the answer does not depend on whether the client sent bytes).
 */
export function requireJsonBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") return next();
    // limitBody ran first: a request with a body stream has a declared length by now.
    const hasBody = c.req.raw.body !== null && c.req.header("content-length") !== "0";
    const type = c.req.header("content-type");
    const json = type !== undefined && JSON_TYPE.test(type);
    const declaresOther = type !== undefined && !json && (method === "POST" || method === "PUT" || method === "PATCH");
    if ((hasBody && !json) || declaresOther) {
      return errorResponse(c, 415, "unsupported_media_type", "Send the body as JSON with Content-Type: application/json.");
    }
    if (hasBody) {
      const problem = unstorableJson(await c.req.raw.clone().text());
      if (problem) return unstorableBodyResponse(c, problem);
    }
    return next();
  };
}

/**
 * The problem with a JSON text that parses but could not be stored (lib/engine/json-limits.ts),
 * or null; text that does not parse is left to the route's validator to report.
 */
function unstorableJson(text: string): JsonProblem | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return findJsonProblem(value);
}

/** The 400 `invalid_body` for a body deeper than MAX_JSON_DEPTH, or with a NUL or lone surrogate, naming where. */
export function unstorableBodyResponse(c: Context, problem: JsonProblem): Response {
  return errorResponse(c, 400, "invalid_body", `The request body is not valid: ${problem.message}`, {
    issues: [{ path: problem.path, message: problem.message, code: problem.code }],
    ...(problem.code === "too_deep" ? { maxDepth: MAX_JSON_DEPTH } : {}),
  });
}

/**
 * A NUL (`%00`) in the path → 400 `invalid_params`, in the query string (name or value) → 400
 * `invalid_query`: no id or filter can contain one, and Postgres refuses it in a text parameter.
 */
export function rejectNulInUrl(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    if (/%00/i.test(url.pathname)) {
      const message = "The path may not contain a NUL character (%00).";
      return errorResponse(c, 400, "invalid_params", message, { issues: [{ path: [], message, code: "nul_character" }] });
    }
    for (const [name, value] of url.searchParams) {
      if (name.includes("\u0000") || value.includes("\u0000")) {
        const message = "The query string may not contain a NUL character (%00).";
        return errorResponse(c, 400, "invalid_query", message, { issues: [{ path: [name], message, code: "nul_character" }] });
      }
    }
    return next();
  };
}

/** The `RateLimit-*` headers describing `decision`. */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  return {
    "RateLimit-Limit": String(decision.limit),
    "RateLimit-Remaining": String(decision.remaining),
    "RateLimit-Reset": String(Math.ceil(decision.resetMs / 1000)),
  };
}

/** The 429 for a refused `decision`: `RateLimit-*`, `Retry-After` (seconds) and `{ error: "rate_limited", retryAfterMs }`. */
export function rateLimitedResponse(c: Context, decision: RateLimitDecision, message: string): Response {
  for (const [name, value] of Object.entries(rateLimitHeaders(decision))) c.header(name, value);
  c.header("Retry-After", String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))));
  return errorResponse(c, 429, "rate_limited", message, { retryAfterMs: decision.retryAfterMs });
}

/**
 * Token bucket per (organization, principal), from the limiter of the principal's kind (API keys
 * and signed-in users have budgets of their own): `RateLimit-*` headers on every limited
 * response; over the limit → 429 `{ error: "rate_limited", retryAfterMs }` with `Retry-After`
 * (seconds). Runs after authentication, so anonymous requests never consume a bucket.
 */
export function rateLimit(limiters: Record<Principal["authMode"], RateLimiter>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    const decision = await limiters[principal.authMode].take(`${principal.organizationId}:${principal.id}`);
    if (!decision.allowed) return rateLimitedResponse(c, decision, "Too many requests; slow down.");
    await next();
    for (const [name, value] of Object.entries(rateLimitHeaders(decision))) c.res.headers.set(name, value);
  };
}
