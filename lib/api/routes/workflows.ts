/**
 * `/api/workflows` (docs/patch-endpoint.md): create, list, read, rename, soft-delete, and the two ways to
 * change a definition: the patch endpoint (`POST /:id/operations`) and `PUT /:id/definition`.
 * History and restore live in ./workflow-versions.ts; every handler is a thin adapter over the
 * use-cases in lib/workflows.
 */
import { createRoute } from "@hono/zod-openapi";
import type { ApiDeps } from "../context";
import { unwrap } from "../errors";
import { actorOf, errorResponses, ifMatchVersion, listSchema, json } from "../http";
import { createRouter } from "../router";
import {
  CreatedWorkflowSchema,
  CreateWorkflowBodySchema,
  OperationsBodySchema,
  PatchResponseSchema,
  PutDefinitionBodySchema,
  UpdateWorkflowBodySchema,
  WorkflowIdParamsSchema,
  WorkflowListItemSchema,
  WorkflowListQuerySchema,
  WorkflowSchema,
} from "../schemas";
import { workflowVersionRoutes } from "./workflow-versions";
import type { WorkflowDefinition } from "@/lib/engine/model";
import { patchWorkflow, replaceDefinition } from "@/lib/workflows/edit";
import { createWorkflow, deleteWorkflow, getWorkflow, listWorkflows, renameWorkflow } from "@/lib/workflows/workflows";

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
  description:
    "Each item is the workflow with `lastRun` (its newest run) and `updatedBy` (who saved its latest version, named as in this organization). `q` searches names.",
  request: { query: WorkflowListQuerySchema },
  responses: { 200: { description: "A page of workflows", content: json(listSchema(WorkflowListItemSchema, "WorkflowList")) }, ...errorResponses(400) },
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

/** Client definitions are only shape-checked by zod; applyEditOps reports what is wrong inside them. */
function asDefinition(input: unknown): WorkflowDefinition {
  return input as WorkflowDefinition;
}

/** The workflows sub-app: each handler parses, calls one use-case (lib/workflows) and answers. */
export function workflowRoutes(deps: ApiDeps) {
  return createRouter()
    .openapi(createWorkflowRoute, async (c) => {
      const body = c.req.valid("json");
      const definition = body.definition ? asDefinition(body.definition) : undefined;
      const created = unwrap(await createWorkflow(deps, actorOf(c), { name: body.name, description: body.description, definition }));
      return c.json(created, 201);
    })
    .openapi(listWorkflowsRoute, async (c) => {
      const { cursor, limit, q } = c.req.valid("query");
      return c.json(unwrap(await listWorkflows(deps, actorOf(c), { limit, cursor, q })), 200);
    })
    .openapi(getWorkflowRoute, async (c) => {
      return c.json(unwrap(await getWorkflow(deps, actorOf(c), c.req.valid("param").id)), 200);
    })
    .openapi(updateWorkflowRoute, async (c) => {
      const body = c.req.valid("json");
      const ifMatch = ifMatchVersion(c);
      return c.json(unwrap(await renameWorkflow(deps, actorOf(c), c.req.valid("param").id, { ...body, ifMatch })), 200);
    })
    .openapi(deleteWorkflowRoute, async (c) => {
      const ifMatch = ifMatchVersion(c);
      unwrap(await deleteWorkflow(deps, actorOf(c), c.req.valid("param").id, { ifMatch }));
      return c.body(null, 204);
    })
    .openapi(operationsRoute, async (c) => {
      const { ops, dry_run, atomic } = c.req.valid("json");
      const ifMatch = ifMatchVersion(c);
      return c.json(unwrap(await patchWorkflow(deps, actorOf(c), c.req.valid("param").id, ops, { ifMatch, dryRun: dry_run, atomic })), 200);
    })
    .openapi(putDefinitionRoute, async (c) => {
      const { definition, dry_run, atomic } = c.req.valid("json");
      const ifMatch = ifMatchVersion(c);
      const edit = { ifMatch, dryRun: dry_run, atomic };
      return c.json(unwrap(await replaceDefinition(deps, actorOf(c), c.req.valid("param").id, asDefinition(definition), edit)), 200);
    })
    .route("/", workflowVersionRoutes(deps));
}
