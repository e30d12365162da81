/**
 * `/api/secrets` (docs/architecture.md, "Tenancy and auth"): set, list (names and dates only) and
 * delete organization secrets. Values go in and never come out: no route returns them and nothing
 * here logs them. Setting and deleting need an owner or admin session; members and API keys may
 * list names.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiDeps } from "../context";
import { ApiError } from "../errors";
import { errorResponses, listSchema, PageQuerySchema, pageCursor, ownerOrAdmin } from "../http";
import { createRouter } from "../router";
import { SecretSchema as SecretResourceSchema } from "@/lib/resources/secret";
import { MAX_SECRET_VALUE_BYTES, SECRET_NAME_PATTERN } from "@/lib/secrets";
import { deleteSecret, listSecrets, SecretCursorSchema, upsertSecret } from "@/lib/store/secrets";

const NAME_RULE =
  "Secret names must match ^[A-Z][A-Z0-9_]{0,63}$: an uppercase letter, then up to 63 uppercase letters, digits or underscores.";

const SecretName = z.string().regex(SECRET_NAME_PATTERN, NAME_RULE).openapi({ example: "SLACK_TOKEN" });

// The resource is declared once, in lib/resources/secret.ts; rebuilt here with the OpenAPI-extended
// `z` so the document names it.
const SecretSchema = z.object(SecretResourceSchema.shape).openapi("Secret", { description: SecretResourceSchema.description });

const SetSecretBody = z
  .object({
    name: SecretName,
    value: z
      .string()
      .refine((v) => Buffer.byteLength(v, "utf8") <= MAX_SECRET_VALUE_BYTES, {
        message: `Secret values are limited to ${MAX_SECRET_VALUE_BYTES} bytes (UTF-8).`,
      })
      .openapi({ description: "The value, up to 64 KiB; write-only." }),
  })
  .strict()
  .openapi("SetSecret");

const NameParams = z.object({
  name: SecretName.openapi({ param: { name: "name", in: "path" } }),
});

/** A failed body validation whose message names the failing rules (e.g. the name pattern). */
function invalidBody(issues: readonly z.core.$ZodIssue[]): ApiError {
  const list = issues.map((issue) => ({ path: issue.path.map(String), message: issue.message, code: issue.code }));
  const rules = list.map((i) => (i.path.length ? `${i.path.join(".")}: ` : "") + i.message).join("; ");
  return new ApiError(400, "invalid_body", `The request body is not valid: ${rules}`, { issues: list });
}

const setRoute = createRoute({
  method: "post",
  path: "/",
  tags: ["secrets"],
  summary: "Set a secret (create or replace its value)",
  description: "Owner or admin session only. The value is encrypted at rest (AES-256-GCM) and never returned.",
  middleware: [ownerOrAdmin("set secrets")] as const,
  request: { body: { required: true, content: { "application/json": { schema: SetSecretBody } } } },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: SecretSchema } } },
    200: { description: "Replaced the value of an existing secret", content: { "application/json": { schema: SecretSchema } } },
    ...errorResponses(400, 403, 413, 415),
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["secrets"],
  summary: "List secret names and dates",
  request: { query: PageQuerySchema },
  responses: {
    200: { description: "One page, ordered by name", content: { "application/json": { schema: listSchema(SecretSchema, "SecretList") } } },
    ...errorResponses(400),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/{name}",
  tags: ["secrets"],
  summary: "Delete a secret",
  description: "Owner or admin session only.",
  middleware: [ownerOrAdmin("delete secrets")] as const,
  request: { params: NameParams },
  responses: {
    204: { description: "Deleted" },
    ...errorResponses(400, 403, 404),
  },
});

/** The secrets sub-app. */
export function secretRoutes(deps: ApiDeps) {
  return createRouter()
    .openapi(
      setRoute,
      async (c) => {
        const principal = c.get("principal");
        const { name, value } = c.req.valid("json");
        const { secret, created } = await upsertSecret(deps.db, deps.secretsKey, principal.organizationId, {
          name,
          value,
          actor: principal.id,
        });
        c.get("log").info({ secret: name, created }, "secret set");
        return created ? c.json(secret, 201) : c.json(secret, 200);
      },
      (result) => {
        if (!result.success) throw invalidBody(result.error.issues);
        return undefined;
      },
    )
    .openapi(listRoute, async (c) => {
      const principal = c.get("principal");
      const query = c.req.valid("query");
      const after = pageCursor(query.cursor, SecretCursorSchema);
      return c.json(await listSecrets(deps.db, principal.organizationId, { limit: query.limit, after }), 200);
    })
    .openapi(deleteRoute, async (c) => {
      const principal = c.get("principal");
      const { name } = c.req.valid("param");
      if (!(await deleteSecret(deps.db, principal.organizationId, name))) {
        throw new ApiError(404, "not_found", `No secret named ${name}.`);
      }
      c.get("log").info({ secret: name }, "secret deleted");
      return c.body(null, 204);
    });
}
