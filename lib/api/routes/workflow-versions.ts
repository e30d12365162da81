/**
 * A workflow's history (docs/patch-endpoint.md): `GET /:id/versions` (newest first), `GET /:id/versions/:version`,
 * and `POST /:id/restore { version }`, which saves the old definition as a new version through
 * the same edit path as the patch endpoint (source "restore:<n>").
 */
import { createRoute } from "@hono/zod-openapi";
import type { ApiDeps } from "../context";
import { unwrap } from "../errors";
import { actorOf, errorResponses, ifMatchVersion, listSchema, PageQuerySchema, json } from "../http";
import { createRouter } from "../router";
import {
  PatchResponseSchema,
  RestoreBodySchema,
  WorkflowIdParamsSchema,
  WorkflowVersionParamsSchema,
  WorkflowVersionSchema,
  WorkflowVersionSummarySchema,
} from "../schemas";
import { getVersion, listVersions, restoreVersion } from "@/lib/workflows/edit";

const TAGS = ["workflows"];

const listVersionsRoute = createRoute({
  method: "get",
  path: "/{id}/versions",
  tags: TAGS,
  summary: "List a workflow's versions, newest first",
  request: { params: WorkflowIdParamsSchema, query: PageQuerySchema },
  responses: {
    200: { description: "A page of versions (without definitions; read one version for that)", content: json(listSchema(WorkflowVersionSummarySchema, "WorkflowVersionList")) },
    ...errorResponses(400, 404),
  },
});

const getVersionRoute = createRoute({
  method: "get",
  path: "/{id}/versions/{version}",
  tags: TAGS,
  summary: "Read one version: its definition and the ops that produced it",
  request: { params: WorkflowVersionParamsSchema },
  responses: { 200: { description: "The version", content: json(WorkflowVersionSchema) }, ...errorResponses(400, 404) },
});

const restoreRoute = createRoute({
  method: "post",
  path: "/{id}/restore",
  tags: TAGS,
  summary: "Restore an older version as a new version",
  description: "Unknown version → 404 version_not_found. Same response as the patch endpoint.",
  request: { params: WorkflowIdParamsSchema, body: { content: json(RestoreBodySchema), required: true } },
  parameters: [
    {
      name: "If-Match",
      in: "header",
      required: false,
      description: "The version this change is based on; a stale one gets 412 version_mismatch",
      schema: { type: "string", example: "3" },
    },
  ],
  responses: { 200: { description: "Same response as the patch endpoint", content: json(PatchResponseSchema) }, ...errorResponses(400, 404, 409, 412, 413, 415) },
});

/** The history sub-app, mounted inside the workflows sub-app. */
export function workflowVersionRoutes(deps: ApiDeps) {
  return createRouter()
    .openapi(listVersionsRoute, async (c) => {
      const { cursor, limit } = c.req.valid("query");
      return c.json(unwrap(await listVersions(deps, actorOf(c), c.req.valid("param").id, { limit, cursor })), 200);
    })
    .openapi(getVersionRoute, async (c) => {
      const { id, version } = c.req.valid("param");
      return c.json(unwrap(await getVersion(deps, actorOf(c), id, version)), 200);
    })
    .openapi(restoreRoute, async (c) => {
      const { version, dry_run, atomic } = c.req.valid("json");
      const ifMatch = ifMatchVersion(c);
      return c.json(unwrap(await restoreVersion(deps, actorOf(c), c.req.valid("param").id, version, { ifMatch, dryRun: dry_run, atomic })), 200);
    });
}
