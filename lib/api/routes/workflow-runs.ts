/**
 * `POST /api/workflows/:id/run` (DESIGN §4): dispatch a run of the workflow's current definition,
 * which the runtime pins into the run. Mounted at /workflows beside ./workflows.ts.
 */
import { createRoute } from "@hono/zod-openapi";
import type { ApiDeps } from "../context";
import { ApiError } from "../errors";
import { ErrorSchema, errorResponses, json } from "../http";
import { createRouter } from "../router";
import { DispatchedRunSchema, DispatchRunBodySchema } from "../run-schemas";
import { WorkflowIdParamsSchema } from "../schemas";
import { validateDefinition } from "@/lib/engine/validate";
import { getWorkflow } from "@/lib/store/workflows";

const dispatchRoute = createRoute({
  method: "post",
  path: "/{id}/run",
  tags: ["runs"],
  summary: "Run a workflow",
  description:
    "Queues a run of the current definition (pinned: later edits do not change it). The same idempotencyKey for the same workflow within 24 h returns the same run. trigger is `api` for API keys, `manual` for sessions.",
  request: { params: WorkflowIdParamsSchema, body: { content: json(DispatchRunBodySchema), required: false } },
  responses: {
    202: { description: "Queued (or the run an earlier request with this idempotencyKey made)", content: json(DispatchedRunSchema) },
    ...errorResponses(400, 404, 413, 415),
    422: { description: "workflow_invalid: the definition has validation_errors; fix them first", content: json(ErrorSchema) },
    503: { description: "run_not_started: the run could not be stored and enqueued; nothing was stored, try again", content: json(ErrorSchema) },
  },
});

/** The workflow-dispatch sub-app. */
export function workflowRunRoutes(deps: ApiDeps) {
  const app = createRouter();

  app.openapi(dispatchRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const principal = c.get("principal");
    const workflow = await getWorkflow(deps.db, principal.organizationId, id);
    if (!workflow) throw new ApiError(404, "not_found", "No such workflow.");
    const errors = validateDefinition(workflow.definition, deps.registry);
    if (errors.length > 0) {
      throw new ApiError(422, "workflow_invalid", `The workflow has ${errors.length} validation error(s); fix them before running it.`, {
        validation_errors: errors,
      });
    }
    const { run } = await deps.runtime.dispatch(principal.organizationId, workflow, {
      input: body.input,
      idempotencyKey: body.idempotencyKey,
      trigger: principal.authMode === "api_key" ? "api" : "manual",
    });
    return c.json({ runId: run.id, status: run.status }, 202);
  });

  return app;
}
