/**
 * The one place HTTP failures become JSON (docs/architecture.md, "Errors and lists"): `{ error: "<stable_code>", message?, … }`.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Failure, FailureCode, Outcome } from "@/lib/workflows/outcome";

/** An error a handler throws to answer with a stable code; anything else is a 500 and a bug. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message?: string,
    readonly extra: Record<string, unknown> = {},
    /** Response headers to send with it (e.g. Retry-After). */
    readonly headers: Record<string, string> = {},
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

/** The HTTP status of each use-case failure code: the one place they are mapped. */
const FAILURE_STATUS: Record<FailureCode, ContentfulStatusCode> = {
  not_found: 404,
  version_not_found: 404,
  version_mismatch: 412,
  conflict: 409,
  invalid_definition: 400,
  workflow_invalid: 422,
  run_not_started: 503,
  invalid_body: 400,
  run_finished: 409,
  invalid_cursor: 400,
};

/** The ApiError answering a use-case failure: its code, message and details as the JSON body. */
export function failureError(failure: Failure): ApiError {
  const { code, message, ...details } = failure;
  // The run was not stored: the client may simply retry, a second later.
  const headers: Record<string, string> = code === "run_not_started" ? { "Retry-After": String(DATABASE_RETRY_AFTER_S) } : {};
  return new ApiError(FAILURE_STATUS[code], code, message, details, headers);
}

/** Seconds a client should wait before retrying a request the database could not serve. */
export const DATABASE_RETRY_AFTER_S = 1;

/**
 * 503 `database_unavailable` with `Retry-After`, for an error `isDatabaseUnavailable` recognises
 * (connection refused or lost, connect or statement timeout, shutdown, serialization failure).
 * A write that got it may or may not have been applied if the connection broke during its commit.
 */
export function databaseUnavailable(c: Context): Response {
  c.header("Retry-After", String(DATABASE_RETRY_AFTER_S));
  return errorResponse(c, 503, "database_unavailable", "The database is unavailable right now; try again shortly.");
}

/** The value of a successful use-case outcome; throws the mapped ApiError for a failure. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw failureError(outcome.failure);
  return outcome.value;
}
