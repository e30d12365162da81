/**
 * `/api/workflows` (DESIGN §3): create, list, read, rename, soft-delete, and the two ways to
 * change a definition: the patch endpoint (`POST /:id/operations`) and `PUT /:id/definition`.
 * History and restore live in ./workflow-versions.ts; edits go through ../workflow-edits.ts.
 */
import { createRoute } from "@hono/zod-openapi";
import type { ApiDeps } from "../context";
import { ApiError } from "../errors";
import { errorResponses, ifMatchVersion, listSchema, PageQuerySchema, pageCursor, json } from "../http";
import { createRouter } from "../router";
import {
  CreatedWorkflowSchema,
  CreateWorkflowBodySchema,
  OperationsBodySchema,
  PatchResponseSchema,
  PutDefinitionBodySchema,
  UpdateWorkflowBodySchema,
  WorkflowIdParamsSchema,
  WorkflowSchema,
} from "../schemas";
import { editActor, editWorkflow } from "../workflow-edits";
import { workflowVersionRoutes } from "./workflow-versions";
import { applyEditOps } from "@/lib/engine/apply-edit-ops";
import { diffToEditOps } from "@/lib/engine/diff";
import { emptyDefinition, type WorkflowDefinition } from "@/lib/engine/model";
import { CreatedAtCursorSchema } from "@/lib/store/cursor";
import { createWorkflow, deleteWorkflow, getWorkflow, listWorkflows, updateWorkflowDetails, type SaveResult } from "@/lib/store/workflows";

const TAGS = ["workflows"];
const ifMatchHeader = {
  name: "If-Match",
  in: "header" as const,
  required: false,
  description: "The version this change is based on; a stale one gets 412 version_mismatch",
  schema: { type: "string" as const, example: "3" },
};

const createWorkflowRoute = createRoute({
  method: "post",
  path: "/",
  tags: TAGS,
  summary: "Create a workflow",
  description:
    "An initial definition goes through the patch path: if any part of it would be skipped, nothing is created (400 invalid_definition with skipped_items); validation errors do not block.",
  request: { body: { content: json(CreateWorkflowBodySchema), required: false } },
  responses: {
    201: { description: "The new workflow (version 1) and the validation errors of its definition", content: json(CreatedWorkflowSchema) },
    ...errorResponses(400, 413, 415),
  },
});

const listWorkflowsRoute = createRoute({
  method: "get",
  path: "/",
  tags: TAGS,
  summary: "List workflows, newest first",
  request: { query: PageQuerySchema },
  responses: { 200: { description: "A page of workflows", content: json(listSchema(WorkflowSchema, "WorkflowList")) }, ...errorResponses(400) },
});

const getWorkflowRoute = createRoute({
  method: "get",
  path: "/{id}",
  tags: TAGS,
  summary: "Read a workflow",
  request: { params: WorkflowIdParamsSchema },
  responses: { 200: { description: "The workflow", content: json(WorkflowSchema) }, ...errorResponses(400, 404) },
});

const updateWorkflowRoute = createRoute({
  method: "patch",
  path: "/{id}",
  tags: TAGS,
  summary: "Rename or re-describe a workflow (the version is unchanged)",
  request: { params: WorkflowIdParamsSchema, body: { content: json(UpdateWorkflowBodySchema), required: true } },
  parameters: [ifMatchHeader],
  responses: { 200: { description: "The workflow", content: json(WorkflowSchema) }, ...errorResponses(400, 404, 412, 413, 415) },
});

const deleteWorkflowRoute = createRoute({
  method: "delete",
  path: "/{id}",
  tags: TAGS,
  summary: "Delete a workflow (soft: in-flight runs keep their copy; reads answer 404)",
  request: { params: WorkflowIdParamsSchema },
  parameters: [ifMatchHeader],
  responses: { 204: { description: "Deleted" }, ...errorResponses(400, 404, 412) },
});

const operationsRoute = createRoute({
  method: "post",
  path: "/{id}/operations",
  tags: TAGS,
  summary: "Apply EditOps (the patch endpoint)",
  description:
    "Ops apply in order; a bad op is skipped with a reason code and a hint while the rest still apply. dry_run saves nothing; atomic saves only when nothing was skipped. The version increases only when the definition changed.",
  request: { params: WorkflowIdParamsSchema, body: { content: json(OperationsBodySchema), required: true } },
  parameters: [ifMatchHeader],
  responses: { 200: { description: "What applied, what was skipped and why", content: json(PatchResponseSchema) }, ...errorResponses(400, 404, 409, 412, 413, 415) },
});

const putDefinitionRoute = createRoute({
  method: "put",
  path: "/{id}/definition",
  tags: TAGS,
  summary: "Replace the whole definition",
  description: "Computes the EditOps from the current definition to this one and applies them like the patch endpoint.",
  request: { params: WorkflowIdParamsSchema, body: { content: json(PutDefinitionBodySchema), required: true } },
  parameters: [ifMatchHeader],
  responses: { 200: { description: "Same response as the patch endpoint", content: json(PatchResponseSchema) }, ...errorResponses(400, 404, 409, 412, 413, 415) },
});

function notFound(): ApiError {
  return new ApiError(404, "not_found", "No such workflow.");
}

/** Maps a failed store write to its HTTP error. */
function saveFailure(result: Exclude<SaveResult, { ok: true }>): ApiError {
  if (result.reason === "not_found") return notFound();
  return new ApiError(412, "version_mismatch", `If-Match names a stale version; the workflow is at version ${result.current}.`, {
    current: result.current,
  });
}

/** Client definitions are only shape-checked by zod; applyEditOps reports what is wrong inside them. */
function asDefinition(input: unknown): WorkflowDefinition {
  return input as WorkflowDefinition;
}

/** The workflows sub-app. */
export function workflowRoutes(deps: ApiDeps) {
  const app = createRouter();

  app.openapi(createWorkflowRoute, async (c) => {
    const body = c.req.valid("json");
    const principal = c.get("principal");
    const empty = emptyDefinition();
    const ops = body.definition ? diffToEditOps(empty, asDefinition(body.definition)) : [];
    const result = applyEditOps(empty, ops, deps.registry, { actor: editActor(principal), atomic: true, currentVersion: 0 });
    if (result.skipped.length > 0) {
      const lines = result.summary.split("\n");
      lines[1] = "Nothing created: fix or remove the skipped items and send the definition again.";
      throw new ApiError(400, "invalid_definition", "Parts of the definition cannot be applied; nothing was created.", {
        skipped_items: result.skipped,
        validation_errors: result.validationErrors,
        summary: lines.join("\n"),
      });
    }
    const workflow = await createWorkflow(deps.db, principal.organizationId, {
      name: body.name,
      description: body.description,
      definition: result.definition,
      ops: result.applied,
      actor: principal.id,
    });
    return c.json({ ...workflow, validation_errors: result.validationErrors }, 201);
  });

  app.openapi(listWorkflowsRoute, async (c) => {
    const { cursor, limit } = c.req.valid("query");
    const after = pageCursor(cursor, CreatedAtCursorSchema);
    return c.json(await listWorkflows(deps.db, c.get("principal").organizationId, { limit, after }), 200);
  });

  app.openapi(getWorkflowRoute, async (c) => {
    const workflow = await getWorkflow(deps.db, c.get("principal").organizationId, c.req.valid("param").id);
    if (!workflow) throw notFound();
    return c.json(workflow, 200);
  });

  app.openapi(updateWorkflowRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const expectedVersion = ifMatchVersion(c);
    const result = await updateWorkflowDetails(deps.db, c.get("principal").organizationId, id, { ...body, expectedVersion });
    if (!result.ok) throw saveFailure(result);
    return c.json(result.workflow, 200);
  });

  app.openapi(deleteWorkflowRoute, async (c) => {
    const { id } = c.req.valid("param");
    const expectedVersion = ifMatchVersion(c);
    const result = await deleteWorkflow(deps.db, c.get("principal").organizationId, id, expectedVersion);
    if (!result.ok) throw saveFailure(result);
    return c.body(null, 204);
  });

  app.openapi(operationsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const response = await editWorkflow(deps, c.get("principal"), id, {
      ops: () => body.ops,
      ifMatch: ifMatchVersion(c),
      dryRun: body.dry_run,
      atomic: body.atomic,
    });
    return c.json(response, 200);
  });

  app.openapi(putDefinitionRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const next = asDefinition(body.definition);
    const response = await editWorkflow(deps, c.get("principal"), id, {
      ops: (current) => diffToEditOps(current, next),
      ifMatch: ifMatchVersion(c),
      dryRun: body.dry_run,
      atomic: body.atomic,
    });
    return c.json(response, 200);
  });

  app.route("/", workflowVersionRoutes(deps));
  return app;
}
