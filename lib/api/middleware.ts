/**
 * Request-level middleware of the control plane: request id + logger, body limit, content type,
 * and the rate limit. Authentication lives in ./middleware/auth.ts.
 */
import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./context";
import { errorResponse } from "./errors";
import type { RateLimiter } from "./rate-limit";
import type { Logger } from "@/lib/log";

export const MAX_BODY_BYTES = 1024 * 1024;

/** Gives every request an id (echoed as `x-request-id`) and a child logger carrying it. */
export function requestContext(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && /^[A-Za-z0-9._-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    c.set("requestId", requestId);
    c.set("log", logger.child({ requestId }));
    await next();
    c.header("x-request-id", requestId);
  };
}

/** Bodies over 1 MB → 413 `payload_too_large`, before anything reads them. */
export function limitBody(): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => errorResponse(c, 413, "payload_too_large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`),
  });
}

/** A request with a body must send it as JSON → else 415 `unsupported_media_type`. */
export function requireJsonBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD" || method === "OPTIONS" || method === "DELETE") return next();
    const length = c.req.header("content-length");
    const hasBody = (length !== undefined && length !== "0") || c.req.header("transfer-encoding") !== undefined;
    const type = c.req.header("content-type") ?? "";
    if (hasBody && !/^application\/([\w.-]+\+)?json\s*(;.*)?$/i.test(type)) {
      return errorResponse(c, 415, "unsupported_media_type", "Send the body as JSON with Content-Type: application/json.");
    }
    return next();
  };
}

/**
 * Token bucket per (organization, principal): `RateLimit-*` headers on every limited response;
 * over the limit → 429 `{ error: "rate_limited", retryAfterMs }` with `Retry-After` (seconds).
 * Runs after authentication, so anonymous requests never consume a bucket.
 */
export function rateLimit(limiter: RateLimiter): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    const decision = await limiter.take(`${principal.organizationId}:${principal.id}`);
    const headers = {
      "RateLimit-Limit": String(decision.limit),
      "RateLimit-Remaining": String(decision.remaining),
      "RateLimit-Reset": String(Math.ceil(decision.resetMs / 1000)),
    };
    if (!decision.allowed) {
      for (const [name, value] of Object.entries(headers)) c.header(name, value);
      c.header("Retry-After", String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))));
      return errorResponse(c, 429, "rate_limited", "Too many requests; slow down.", { retryAfterMs: decision.retryAfterMs });
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
