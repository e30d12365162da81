/**
 * The one place HTTP failures become JSON (DESIGN §7): `{ error: "<stable_code>", message?, … }`.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An error a handler throws to answer with a stable code; anything else is a 500 and a bug. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message ?? code);
  }
}

/** Responds with `{ error: code, message?, ...extra }`. */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message?: string,
  extra: Record<string, unknown> = {},
): Response {
  return c.json({ error: code, ...(message ? { message } : {}), ...extra }, status);
}
