/**
 * `/api/workflows/:id/webhooks` (docs/runs.md, "Inbound webhooks"): create, list, change (methods,
 * how calls are answered), delete and rotate the secret of a workflow's inbound webhook endpoints. Members and API keys may manage them. The
 * secret is in the responses of create and rotate only, never in a list. Another organization's (or
 * a deleted) workflow or endpoint is 404 `not_found`. Mounted at /workflows beside ./workflows.ts.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiDeps } from "../context";
import { ApiError } from "../errors";
import { errorResponses, listSchema, PageQuerySchema, pageCursor, json } from "../http";
import { createRouter } from "../router";
import { WorkflowIdParamsSchema } from "../schemas";
import {
  CreatedWebhookEndpointSchema,
  DEFAULT_ENDPOINT_WAIT_SECONDS,
  EndpointWaitSecondsSchema,
  RotatedWebhookSecretSchema,
  WEBHOOK_METHODS,
  WEBHOOK_RESPONSE_MODES,
  WebhookEndpointSchema,
  type WebhookEndpoint,
  type WebhookMethod,
} from "@/lib/resources/webhook-endpoint";
import { CreatedAtCursorSchema } from "@/lib/store/cursor";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
  type WebhookEndpointInfo,
} from "@/lib/store/webhook-endpoints";
import { getWorkflow } from "@/lib/store/workflows";

const EndpointParamsSchema = WorkflowIdParamsSchema.extend({
  endpointId: z.string().min(1).max(200).openapi({ param: { name: "endpointId", in: "path" }, example: "whk_k3v9x0q2m5h7c2b4n4z6" }),
});

const Methods = z
  .array(z.enum(WEBHOOK_METHODS))
  .min(1)
  .max(WEBHOOK_METHODS.length)
  .openapi({ description: "HTTP methods the endpoint accepts; others get 405", example: ["POST"] });

const ResponseMode = z.enum(WEBHOOK_RESPONSE_MODES).openapi({
  description:
    "How a call without ?wait is answered. accepted: 202 { runId } at once. wait: the call waits up to waitSeconds for the workflow's respond_webhook answer (or its result, 200), else 202. A call's ?wait always wins",
  example: "wait",
});
const WaitSeconds = EndpointWaitSecondsSchema.openapi({ description: "How long a call waits in responseMode wait, 1–30 seconds", example: 10 });

const CreateEndpointBody = z
  .object({
    methods: Methods.optional().openapi({ description: 'Default ["POST"]' }),
    responseMode: ResponseMode.optional().openapi({ description: 'Default "accepted"' }),
    waitSeconds: WaitSeconds.optional().openapi({ description: `Default ${DEFAULT_ENDPOINT_WAIT_SECONDS}` }),
  })
  .strict()
  .openapi("CreateWebhookEndpoint");

const UpdateEndpointBody = z
  .object({ methods: Methods.optional(), responseMode: ResponseMode.optional(), waitSeconds: WaitSeconds.optional() })
  .strict()
  .openapi("UpdateWebhookEndpoint", { description: "Only the fields given change." });

// The resources are declared once, in lib/resources/webhook-endpoint.ts; rebuilt here with the
// OpenAPI-extended `z` so the document names them.
const CreatedEndpointSchema = z.object(CreatedWebhookEndpointSchema.shape).openapi("CreatedWebhookEndpoint");
const EndpointSchema = z
  .object(WebhookEndpointSchema.shape)
  .openapi("WebhookEndpoint", { description: WebhookEndpointSchema.description });
const RotatedSecretSchema = z.object(RotatedWebhookSecretSchema.shape).openapi("RotatedWebhookSecret");

const createEndpointRoute = createRoute({
  method: "post",
  path: "/{id}/webhooks",
  tags: ["webhooks"],
  summary: "Create an inbound webhook endpoint for a workflow",
  description: "Returns the endpoint's URL and its secret. The secret is shown only here (and on rotation): store it.",
  request: { params: WorkflowIdParamsSchema, body: { content: json(CreateEndpointBody), required: false } },
  responses: {
    201: { description: "Created", content: json(CreatedEndpointSchema) },
    ...errorResponses(400, 404, 413, 415),
  },
});

const listEndpointsRoute = createRoute({
  method: "get",
  path: "/{id}/webhooks",
  tags: ["webhooks"],
  summary: "List a workflow's webhook endpoints",
  request: { params: WorkflowIdParamsSchema, query: PageQuerySchema },
  responses: {
    200: { description: "One page, newest first", content: json(listSchema(EndpointSchema, "WebhookEndpointList")) },
    ...errorResponses(400, 404),
  },
});

const updateEndpointRoute = createRoute({
  method: "patch",
  path: "/{id}/webhooks/{endpointId}",
  tags: ["webhooks"],
  summary: "Change a webhook endpoint's methods or how it answers calls",
  description: "Only the fields given change; the URL and secret stay. Applies to the next call.",
  request: { params: EndpointParamsSchema, body: { content: json(UpdateEndpointBody), required: true } },
  responses: { 200: { description: "The endpoint as it is now", content: json(EndpointSchema) }, ...errorResponses(400, 404, 413, 415) },
});

const deleteEndpointRoute = createRoute({
  method: "delete",
  path: "/{id}/webhooks/{endpointId}",
  tags: ["webhooks"],
  summary: "Delete a webhook endpoint",
  description: "Its URL answers 404 from then on.",
  request: { params: EndpointParamsSchema },
  responses: { 204: { description: "Deleted" }, ...errorResponses(400, 404) },
});

const rotateSecretRoute = createRoute({
  method: "post",
  path: "/{id}/webhooks/{endpointId}/rotate",
  tags: ["webhooks"],
  summary: "Rotate a webhook endpoint's secret",
  description:
    "Returns a new secret (shown once). The previous secret keeps working for 24 hours (previousSecretValidUntil); a secret older than that stops at once.",
  request: { params: EndpointParamsSchema },
  responses: { 200: { description: "Rotated", content: json(RotatedSecretSchema) }, ...errorResponses(400, 404) },
});

/** Canonical order, no duplicates. */
function normalizeMethods(methods: readonly WebhookMethod[] | undefined): WebhookMethod[] {
  const wanted = new Set(methods ?? ["POST"]);
  return WEBHOOK_METHODS.filter((method) => wanted.has(method));
}

/** The webhook-endpoint management sub-app. */
export function webhookEndpointRoutes(deps: ApiDeps) {
  const url = (id: string) => `${deps.baseUrl}/api/webhooks/${id}`;
  const withUrl = ({ workflowId: _workflowId, ...endpoint }: WebhookEndpointInfo): WebhookEndpoint => ({ ...endpoint, url: url(endpoint.id) });

  /** 404 unless the workflow is a live one of the caller's organization. */
  const requireWorkflow = async (organizationId: string, workflowId: string) => {
    const workflow = await getWorkflow(deps.db, organizationId, workflowId);
    if (!workflow) throw new ApiError(404, "not_found", "No such workflow.");
    return workflow;
  };

  return createRouter()
    .openapi(createEndpointRoute, async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json") ?? {};
      const principal = c.get("principal");
      await requireWorkflow(principal.organizationId, id);
      const { endpoint, secret } = await createWebhookEndpoint(deps.db, deps.secretsKey, principal.organizationId, {
        workflowId: id,
        methods: normalizeMethods(body.methods),
        responseMode: body.responseMode ?? "accepted",
        waitSeconds: body.waitSeconds ?? DEFAULT_ENDPOINT_WAIT_SECONDS,
        actor: principal.id,
      });
      c.get("log").info({ workflowId: id, endpointId: endpoint.id }, "webhook endpoint created");
      const { id: endpointId, methods, responseMode, waitSeconds, createdAt } = endpoint;
      return c.json({ id: endpointId, url: url(endpointId), secret, methods, responseMode, waitSeconds, createdAt }, 201);
    })
    .openapi(listEndpointsRoute, async (c) => {
      const { id } = c.req.valid("param");
      const { cursor, limit } = c.req.valid("query");
      const principal = c.get("principal");
      const after = pageCursor(cursor, CreatedAtCursorSchema);
      await requireWorkflow(principal.organizationId, id);
      const page = await listWebhookEndpoints(deps.db, principal.organizationId, id, { limit, after });
      return c.json({ data: page.data.map(withUrl), nextCursor: page.nextCursor }, 200);
    })
    .openapi(updateEndpointRoute, async (c) => {
      const { id, endpointId } = c.req.valid("param");
      const { methods, responseMode, waitSeconds } = c.req.valid("json");
      const principal = c.get("principal");
      await requireWorkflow(principal.organizationId, id);
      const updated = await updateWebhookEndpoint(deps.db, principal.organizationId, id, endpointId, {
        methods: methods && normalizeMethods(methods),
        responseMode,
        waitSeconds,
      });
      if (!updated) throw new ApiError(404, "not_found", "No such webhook endpoint.");
      c.get("log").info({ workflowId: id, endpointId, responseMode: updated.responseMode }, "webhook endpoint changed");
      return c.json(withUrl(updated), 200);
    })
    .openapi(deleteEndpointRoute, async (c) => {
      const { id, endpointId } = c.req.valid("param");
      const principal = c.get("principal");
      await requireWorkflow(principal.organizationId, id);
      if (!(await deleteWebhookEndpoint(deps.db, principal.organizationId, id, endpointId))) {
        throw new ApiError(404, "not_found", "No such webhook endpoint.");
      }
      c.get("log").info({ workflowId: id, endpointId }, "webhook endpoint deleted");
      return c.body(null, 204);
    })
    .openapi(rotateSecretRoute, async (c) => {
      const { id, endpointId } = c.req.valid("param");
      const principal = c.get("principal");
      await requireWorkflow(principal.organizationId, id);
      const rotated = await rotateWebhookEndpointSecret(deps.db, deps.secretsKey, principal.organizationId, id, endpointId);
      if (!rotated) throw new ApiError(404, "not_found", "No such webhook endpoint.");
      c.get("log").info({ workflowId: id, endpointId }, "webhook secret rotated");
      return c.json(rotated, 200);
    });
}
