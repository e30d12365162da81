"use client";

/**
 * The browser's one data path: the typed client of lib/api/client.ts (Hono's `hc` over the same
 * routes an agent calls), with the session cookie. `read` turns an answer into its JSON or throws
 * an `ApiFailure` carrying the server's stable code and message, which pages show as they are.
 */
import { createApiClient } from "@/lib/api/client";

/** A non-2xx answer: the server's `error` code, its `message`, and the whole body. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiFailure";
  }
}

export const api = createApiClient(typeof window === "undefined" ? "http://localhost" : window.location.origin, {
  init: { credentials: "same-origin" },
});

/** The JSON of a successful answer; throws ApiFailure otherwise. */
export async function read<T>(response: { ok: boolean; status: number; json(): Promise<T> } | Response): Promise<T> {
  if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page): fall back to the status.
  }
  const code = typeof body.error === "string" ? body.error : `http_${response.status}`;
  const message = typeof body.message === "string" ? body.message : `The server answered ${response.status}.`;
  throw new ApiFailure(response.status, code, message, body);
}

/** Whether an error is the API's 404 (unknown, deleted, or another organization's). */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiFailure && error.status === 404;
}

/**
 * A validation error's message for one top-level field (the server's `issues`), as a function of
 * the field name; every field reads undefined for any other error.
 */
export function issueMessages(error: unknown): (field: string) => string | undefined {
  const issues = error instanceof ApiFailure && Array.isArray(error.body.issues) ? (error.body.issues as { path?: string[]; message?: string }[]) : [];
  return (field) => issues.find((issue) => issue.path?.[0] === field)?.message;
}
