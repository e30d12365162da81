/**
 * Shapes and checks shared by route groups: error and list schemas for the OpenAPI document,
 * pagination query, If-Match, role checks.
 */
import { z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { decodeCursor } from "@/lib/store/cursor";
import { ApiError } from "./errors";
import type { Actor } from "@/lib/workflows/outcome";
import type { AppEnv, Principal, Role } from "./context";

export const ErrorSchema = z
  .object({
    error: z.string().openapi({ example: "not_found", description: "Stable error code" }),
    message: z.string().optional(),
  })
  .passthrough()
  .openapi("Error");

/** The OpenAPI `content` of a JSON request body or response with `schema`. */
export const json = <T>(schema: T) => ({ "application/json": { schema } });

/** The OpenAPI responses every authenticated route can give. */
export function errorResponses(...statuses: (400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 429)[]) {
  const descriptions: Record<number, string> = {
    400: "Bad input (invalid_body, invalid_query, invalid_cursor, invalid_if_match…)",
    401: "unauthorized or no_active_organization",
    403: "forbidden (role) or csrf_rejected",
    404: "not_found (also for another organization's resources)",
    409: "conflict",
    412: "version_mismatch, with `current`",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "the resource is not in a state to do this (e.g. workflow_invalid, with validation_errors)",
    429: "rate_limited, with `retryAfterMs`",
  };
  const all = [...new Set([401, 429, ...statuses])].sort();
  return Object.fromEntries(
    all.map((status) => [status, { description: descriptions[status], content: { "application/json": { schema: ErrorSchema } } }]),
  );
}

/** `?cursor=&limit=` (limit 1–100, default 50). */
export const PageQuerySchema = z
  .object({
    cursor: z.string().max(512).optional().openapi({ description: "Opaque cursor from a previous page's nextCursor" }),
    limit: z
      .string()
      .regex(/^[0-9]{1,3}$/, "limit is a whole number from 1 to 100")
      .transform(Number)
      .pipe(z.number().int().min(1).max(100))
      .optional()
      .transform((v) => v ?? 50)
      .openapi({ type: "integer", minimum: 1, maximum: 100, default: 50, description: "Page size, 1–100 (default 50)" }),
  })
  .strict();

/** `{ data, nextCursor }` of `item`. */
export function listSchema<T extends z.ZodType>(item: T, name: string) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}

/** The `If-Match` version, or undefined when absent; 400 `invalid_if_match` when not a positive integer. */
export function ifMatchVersion(c: Context<AppEnv>): number | undefined {
  const raw = c.req.header("if-match");
  if (raw === undefined) return undefined;
  const text = raw.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
  if (!/^[1-9][0-9]{0,9}$/.test(text) || Number(text) > 2_147_483_647) {
    throw new ApiError(400, "invalid_if_match", "If-Match must be the workflow's version, a positive integer.");
  }
  return Number(text);
}

/** Throws 403 `forbidden` unless the principal has one of `roles` (an API key is a member). */
export function requireRole(principal: Principal, roles: readonly Role[], action: string): void {
  if (!roles.includes(principal.role)) {
    throw new ApiError(403, "forbidden", `Only ${roles.join(" or ")} sessions can ${action}.`);
  }
}

/** Middleware: 403 `forbidden` unless an owner or admin, checked before the request is validated (so a member learns "forbidden" whatever it sent). */
export function ownerOrAdmin(action: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    requireRole(c.get("principal"), ["owner", "admin"], action);
    await next();
  };
}

/** The position `cursor` encodes, or null when absent; 400 `invalid_cursor` when it does not decode against `schema`. */
export function pageCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | null {
  if (cursor === undefined) return null;
  const decoded = decodeCursor(cursor, schema);
  if (decoded === null) throw invalidCursor();
  return decoded;
}

/** 400 `invalid_cursor`: a list cursor that this list did not return. */
export function invalidCursor(): ApiError {
  return new ApiError(400, "invalid_cursor", "The cursor is not one this list returned.");
}

/** The use-case actor of the request's principal: a member's session or an organization API key. */
export function actorOf(c: Context<AppEnv>): Actor {
  const principal = c.get("principal");
  return { organizationId: principal.organizationId, id: principal.id, kind: principal.authMode === "api_key" ? "api_key" : "user" };
}
