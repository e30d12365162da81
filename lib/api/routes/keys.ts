/**
 * `/api/keys` (docs/architecture.md, "Tenancy and auth"): organization API keys. Keys belong to the
 * organization, not a person; only owner and admin sessions create, list and revoke them, and a key
 * cannot mint keys. better-auth's api-key plugin generates and hashes the key (shown once, here);
 * listing and revoking read its `apikey` table directly, always filtered on the caller's
 * organization, so another organization's key id is 404 `not_found`. A key records who created it
 * (`createdBy: "user:<id>"` in the plugin's metadata); the list answers that user's id and name.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { apikey, user } from "@/db/auth-schema";
import { ORG_KEY_CONFIG_ID } from "@/lib/auth";
import { ApiKeySchema as ApiKeyResourceSchema, CreatedApiKeySchema as CreatedApiKeyResourceSchema, type ApiKey } from "@/lib/resources/key";
import { CreatedAtCursorSchema } from "@/lib/store/cursor";
import { keysetPage, newestFirst } from "@/lib/store/pages";
import type { AppEnv, ApiDeps } from "../context";
import { ApiError } from "../errors";
import { errorResponses, listSchema, PageQuerySchema, pageCursor, requireRole } from "../http";
import { forgetApiKey } from "../middleware/auth";
import { createRouter } from "../router";

// The resources are declared once, in lib/resources/key.ts; rebuilt here with the OpenAPI-extended
// `z` so the document names them.
const ApiKeySchema = z.object(ApiKeyResourceSchema.shape).openapi("ApiKey", { description: ApiKeyResourceSchema.description });
const CreatedApiKeySchema = z.object(CreatedApiKeyResourceSchema.shape).openapi("CreatedApiKey");

const CreateApiKeyBody = z
  .object({
    name: z.string().trim().min(1).max(32).openapi({ example: "my agent" }),
    expiresInDays: z.number().int().min(1).max(365).optional().openapi({ description: "Days until the key stops working (default: never)" }),
  })
  .strict()
  .openapi("CreateApiKey");

const IdParams = z.object({ id: z.string().min(1).max(200).openapi({ param: { name: "id", in: "path" } }) });

/** Owner/admin sessions only; checked before the body so a key or member learns "forbidden". */
function manageKeys(action: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    if (principal.authMode === "api_key") throw new ApiError(403, "forbidden", "An API key cannot manage API keys; use an owner or admin session.");
    requireRole(principal, ["owner", "admin"], action);
    await next();
  };
}

const createKeyRoute = createRoute({
  method: "post",
  path: "/",
  tags: ["keys"],
  summary: "Create an organization API key",
  description: "Owner or admin session only. The key is in this response and never again.",
  middleware: [manageKeys("create API keys")] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateApiKeyBody } } } },
  responses: {
    201: { description: "Created; `key` is shown once", content: { "application/json": { schema: CreatedApiKeySchema } } },
    ...errorResponses(400, 403, 415),
  },
});

const listKeysRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["keys"],
  summary: "List the organization's API keys (no key material)",
  description: "Owner or admin session only. Newest first.",
  middleware: [manageKeys("list API keys")] as const,
  request: { query: PageQuerySchema },
  responses: {
    200: { description: "One page", content: { "application/json": { schema: listSchema(ApiKeySchema, "ApiKeyList") } } },
    ...errorResponses(400, 403),
  },
});

const deleteKeyRoute = createRoute({
  method: "delete",
  path: "/{id}",
  tags: ["keys"],
  summary: "Revoke an API key",
  description: "Owner or admin session only. The key stops working at once.",
  middleware: [manageKeys("revoke API keys")] as const,
  request: { params: IdParams },
  responses: {
    204: { description: "Revoked" },
    ...errorResponses(403, 404),
  },
});

const iso = (value: Date | string | null | undefined): string | null => (value ? new Date(value).toISOString() : null);

/**
 * The user id of a key's creator, from the `createdBy: "user:<id>"` its create wrote into the
 * plugin's metadata (a JSON text column the plugin has, in some versions, stringified twice).
 */
function creatorIdOf(metadata: string | null): string | null {
  let value: unknown = metadata;
  for (let depth = 0; depth < 2 && typeof value === "string"; depth++) {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  const createdBy = value && typeof value === "object" ? (value as { createdBy?: unknown }).createdBy : undefined;
  return typeof createdBy === "string" && createdBy.startsWith("user:") ? createdBy.slice("user:".length) : null;
}

/** The names of the users among `ids` that still exist. */
async function userNames(deps: ApiDeps, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await deps.db.select({ id: user.id, name: user.name }).from(user).where(inArray(user.id, wanted));
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** The keys sub-app. */
export function keyRoutes(deps: ApiDeps) {
  return createRouter()
    .openapi(createKeyRoute, async (c) => {
      const principal = c.get("principal");
      const body = c.req.valid("json");
      // A server-side call on behalf of the signed-in user: the plugin still checks that they
      // are a member of the organization with the apiKey:create permission.
      const created = await deps.auth.api.createApiKey({
        body: {
          configId: ORG_KEY_CONFIG_ID,
          organizationId: principal.organizationId,
          userId: principal.userId ?? undefined,
          name: body.name,
          expiresIn: body.expiresInDays ? body.expiresInDays * 24 * 60 * 60 : null,
          metadata: { createdBy: principal.id },
        },
      });
      c.get("log").info({ apiKeyId: created.id }, "api key created");
      return c.json(
        {
          id: created.id,
          name: created.name ?? null,
          key: created.key,
          prefix: created.prefix ?? null,
          start: created.start ?? null,
          createdAt: new Date(created.createdAt).toISOString(),
          expiresAt: iso(created.expiresAt),
        },
        201,
      );
    })
    .openapi(listKeysRoute, async (c) => {
      const principal = c.get("principal");
      const query = c.req.valid("query");
      const after = pageCursor(query.cursor, CreatedAtCursorSchema);
      const keys = deps.db
        .select({
          id: apikey.id,
          name: apikey.name,
          prefix: apikey.prefix,
          start: apikey.start,
          createdAt: apikey.createdAt,
          expiresAt: apikey.expiresAt,
          lastUsedAt: apikey.lastRequest,
          metadata: apikey.metadata,
        })
        .from(apikey)
        .$dynamic();
      const page = await keysetPage(keys, {
        where: and(eq(apikey.referenceId, principal.organizationId), eq(apikey.configId, ORG_KEY_CONFIG_ID)),
        order: newestFirst(apikey),
        page: { limit: query.limit, after },
        toItem: ({ metadata, ...row }) => ({
          ...row,
          createdAt: row.createdAt.toISOString(),
          expiresAt: iso(row.expiresAt),
          lastUsedAt: iso(row.lastUsedAt),
          creatorId: creatorIdOf(metadata),
        }),
      });
      const names = await userNames(deps, page.data.map((key) => key.creatorId));
      const data = page.data.map(({ creatorId, ...key }): ApiKey => {
        const name = creatorId ? names.get(creatorId) : undefined;
        return { ...key, createdBy: creatorId && name !== undefined ? { id: creatorId, name } : null };
      });
      return c.json({ data, nextCursor: page.nextCursor }, 200);
    })
    .openapi(deleteKeyRoute, async (c) => {
      const principal = c.get("principal");
      const { id } = c.req.valid("param");
      const deleted = await deps.db
        .delete(apikey)
        .where(and(eq(apikey.id, id), eq(apikey.referenceId, principal.organizationId), eq(apikey.configId, ORG_KEY_CONFIG_ID)))
        .returning({ id: apikey.id });
      if (deleted.length === 0) throw new ApiError(404, "not_found", `No API key ${id} in this organization.`);
      forgetApiKey(deps.auth, id);
      c.get("log").info({ apiKeyId: id }, "api key revoked");
      return c.body(null, 204);
    });
}
