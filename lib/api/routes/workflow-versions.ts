/**
 * A workflow's history (DESIGN §3): `GET /:id/versions` (newest first), `GET /:id/versions/:version`,
 * and `POST /:id/restore { version }`, which saves the old definition as a new version through
 * the same edit path as the patch endpoint (source "restore:<n>").
 */
import { createRoute } from "@hono/zod-openapi";
import type { ApiDeps } from "../context";
import { ApiError } from "../errors";
import { errorResponses, ifMatchVersion, listSchema, PageQuerySchema, pageCursor, json } from "../http";
import { createRouter } from "../router";
import {
  PatchResponseSchema,
  RestoreBodySchema,
  WorkflowIdParamsSchema,
  WorkflowVersionParamsSchema,
  WorkflowVersionSchema,
  WorkflowVersionSummarySchema,
} from "../schemas";
import { editWorkflow } from "../workflow-edits";
import { diffToEditOps } from "@/lib/engine/diff";
import { getWorkflow, getWorkflowVersion, listWorkflowVersionSummaries, VersionCursorSchema } from "@/lib/store/workflows";

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

function notFound(): ApiError {
  return new ApiError(404, "not_found", "No such workflow.");
}

/** The history sub-app, mounted inside the workflows sub-app. */
export function workflowVersionRoutes(deps: ApiDeps) {
  const app = createRouter();

  app.openapi(listVersionsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { cursor, limit } = c.req.valid("query");
    const before = pageCursor(cursor, VersionCursorSchema);
    const page = await listWorkflowVersionSummaries(deps.db, c.get("principal").organizationId, id, { limit, beforeVersion: before?.v });
    if (!page) throw notFound();
    return c.json(page, 200);
  });

  app.openapi(getVersionRoute, async (c) => {
    const { id, version } = c.req.valid("param");
    const found = await getWorkflowVersion(deps.db, c.get("principal").organizationId, id, version);
    if (!found) throw new ApiError(404, "not_found", "No such workflow or version.");
    return c.json(found, 200);
  });

  app.openapi(restoreRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const principal = c.get("principal");
    const ifMatch = ifMatchVersion(c);
    const target = await getWorkflowVersion(deps.db, principal.organizationId, id, body.version);
    if (!target) {
      if (!(await getWorkflow(deps.db, principal.organizationId, id))) throw notFound();
      throw new ApiError(404, "version_not_found", `Version ${body.version} does not exist.`);
    }
    const response = await editWorkflow(deps, principal, id, {
      ops: (current) => diffToEditOps(current, target.definition),
      ifMatch,
      dryRun: body.dry_run,
      atomic: body.atomic,
      source: `restore:${body.version}`,
    });
    return c.json(response, 200);
  });

  return app;
}
