/**
 * `POST /api/workflows/:id/run` (docs/runs.md): dispatch a run of the workflow's current definition,
 * which the runtime pins into the run. Mounted at /workflows beside ./workflows.ts.
 */
import { createRoute } from "@hono/zod-openapi";
import type { ApiDeps } from "../context";
import { unwrap } from "../errors";
import { actorOf, ErrorSchema, errorResponses, json } from "../http";
import { createRouter } from "../router";
import { DispatchedRunSchema, DispatchRunBodySchema } from "../run-schemas";
import { WorkflowIdParamsSchema } from "../schemas";
import { startRun } from "@/lib/runs/start";

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
    503: { description: "run_not_started: the database was unavailable; nothing was stored, try again", content: json(ErrorSchema) },
  },
});

/** The workflow-dispatch sub-app: a thin adapter over `startRun` (lib/runs/start.ts). */
export function workflowRunRoutes(deps: ApiDeps) {
  return createRouter().openapi(dispatchRoute, async (c) => {
    const body = c.req.valid("json");
    const actor = actorOf(c);
    const { run } = unwrap(
      await startRun(deps, actor, {
        workflow: c.req.valid("param").id,
        input: body.input,
        idempotencyKey: body.idempotencyKey,
        trigger: actor.kind === "api_key" ? "api" : "manual",
      }),
    );
    return c.json({ runId: run.id, status: run.status }, 202);
  });
}
