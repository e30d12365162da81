/**
 * The OpenAPI description of `/api/webhooks/{endpointId}` (docs/runs.md, "Inbound webhooks"). The handler in
 * ./webhooks-inbound.ts is plain Hono because it verifies a signature over the raw body, so it is
 * not a `createRoute`; this registers the same contract on the route group's registry, which the
 * control plane merges into `GET /api/openapi.json` when it mounts the group at `/webhooks`.
 * Code-defined routes (`webhooks.register`) are the operator's and are not described.
 */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context";
import { ErrorSchema, json } from "../http";
import { MAX_BODY_BYTES } from "../middleware";
import { FINAL_STATUSES } from "@/lib/resources/run";
import { MAX_RUN_WAIT_SECONDS } from "@/lib/runs/runs";
import { WEBHOOK_ENDPOINT_ID_PATTERN, WEBHOOK_METHODS } from "@/lib/webhooks/secret";

/** The longest `?wait`, in seconds. */
export const MAX_WAIT_SECONDS = MAX_RUN_WAIT_SECONDS;

const EndpointParams = z.object({
  endpointId: z
    .string()
    .regex(WEBHOOK_ENDPOINT_ID_PATTERN)
    .openapi({ param: { name: "endpointId", in: "path" }, example: "whk_abcdefghijklmnopqrst", description: "The endpoint's id (its `url` ends with it)" }),
});

const WaitQuery = z.object({
  wait: z
    .number()
    .min(0)
    .max(MAX_WAIT_SECONDS)
    .optional()
    .openapi({
      param: { name: "wait", in: "query" },
      example: 10,
      description: `Seconds (0–${MAX_WAIT_SECONDS}, up to 3 decimals) to wait: for the workflow's own answer (a respond_webhook block), sent as soon as the block runs; else for the run to finish, 200 with its result; else 202. Without it, the endpoint's responseMode decides (wait: its waitSeconds; accepted: 0). Anything else → 400 invalid_query.`,
    }),
});

const IdempotencyHeaders = z.object({
  "Idempotency-Key": z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: "Requests to this endpoint with the same key within 24 hours return the first one's run (no second run)." }),
});

const WebhookAcceptedSchema = z.object({ runId: z.string().openapi({ example: "run_3kq9v0x2m5h7c1b8n4z6" }) }).openapi("WebhookAccepted");

const WebhookRunFinishedSchema = z
  .object({
    runId: z.string(),
    status: z.enum([...FINAL_STATUSES]),
    output: z.record(z.string(), z.unknown()).nullable().openapi({ description: "Each block id that ran, mapped to its output" }),
    error: z.object({ message: z.string(), blockId: z.string().optional(), code: z.string().optional() }).nullable(),
  })
  .openapi("WebhookRunFinished");

function error(description: string, headers?: Record<string, { description: string; schema: { type: "string" | "integer" } }>) {
  return { description, content: json(ErrorSchema), ...(headers && { headers }) };
}

const RESPONSES = {
  200: {
    description:
      "When the call waited (?wait, or responseMode wait): the run finished in time without answering. A workflow that answers (respond_webhook) sends its own status (200–599), headers and body instead, with X-Weft-Run-Id",
    content: json(WebhookRunFinishedSchema),
    headers: { "X-Weft-Run-Id": { description: "On a workflow's own answer: the run that answered", schema: { type: "string" as const } } },
  },
  202: { description: "The run was started (or, with the same Idempotency-Key, the earlier run); with ?wait it is still going", content: json(WebhookAcceptedSchema) },
  400: error("invalid_query (wait, or %00 in the query), invalid_headers (Idempotency-Key), or invalid_body (JSON deeper than 64 levels, or a NUL / lone surrogate in a string)"),
  401: error("invalid_signature: no credentials, a wrong secret, a malformed signature or one older than 5 minutes; no run is started"),
  404: error("not_found: no such endpoint, or it or its workflow is deleted"),
  405: error("method_not_allowed: the endpoint does not accept this method", {
    Allow: { description: "The methods it accepts, e.g. `POST, PUT`", schema: { type: "string" } },
  }),
  409: error(
    "idempotency_key_reused: this Idempotency-Key started a run in the last 24 hours with a different body; no run is started. " +
      "endpoint_changed: the endpoint or its workflow kept changing while the call was handled; no run is started, send it again",
  ),
  413: error(`payload_too_large: bodies are limited to ${MAX_BODY_BYTES} bytes`),
  422: error("workflow_invalid, with validation_errors: the workflow's owner must fix it"),
  429: error("rate_limited, with `retryAfterMs`: too many requests to this endpoint", {
    "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } },
  }),
  503: error("run_not_started: the database was unavailable; nothing was stored, so sending again is safe", {
    "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } },
  }),
};

const DESCRIPTION =
  "Starts a run of the endpoint's workflow (trigger `webhook`). Its input is `{ method, headers, query, body }`: headers without the credentials, " +
  "the body parsed as JSON when it is JSON, else as text. An endpoint accepts only the methods it was created with (default POST); the others get 405. " +
  "The sender proves it holds the endpoint secret in one of two ways: `Authorization: Bearer <secret>`, or " +
  "`X-Weft-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` keyed with the secret over `<t>.<raw body>` (5-minute tolerance). " +
  "During 24 hours after a rotation the previous secret works too. No Weft session or API key is needed. " +
  "A call that waits (?wait, or an endpoint whose responseMode is wait) gets the workflow's own answer as soon as a respond_webhook block runs " +
  "(its status, headers and body, plus X-Weft-Run-Id), while the run goes on; an Idempotency-Key retry that waits gets that same answer.";

/** Registers `/{endpointId}` for every method an endpoint may allow, and the two ways to authenticate, on `app`. */
export function describeInboundEndpoint(app: OpenAPIHono<AppEnv>): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent("securitySchemes", "webhookSecret", {
    type: "http",
    scheme: "bearer",
    description: "Inbound webhooks only: the endpoint's secret (`whsec_…`) as the bearer token.",
  });
  registry.registerComponent("securitySchemes", "webhookSignature", {
    type: "apiKey",
    in: "header",
    name: "X-Weft-Signature",
    description: "Inbound webhooks only: `t=<unix seconds>,v1=<lowercase hex HMAC-SHA256 of \"<t>.<raw body>\" keyed with the secret>`, within 5 minutes of now.",
  });
  for (const method of WEBHOOK_METHODS) {
    const withBody = method === "POST" || method === "PUT" || method === "PATCH";
    registry.registerPath({
      method: method.toLowerCase() as Lowercase<typeof method>,
      path: "/{endpointId}",
      tags: ["webhooks"],
      summary: `Deliver a webhook (${method}, when the endpoint allows it)`,
      description: DESCRIPTION,
      security: [{ webhookSecret: [] }, { webhookSignature: [] }],
      request: {
        params: EndpointParams,
        query: WaitQuery,
        headers: IdempotencyHeaders,
        ...(withBody && {
          body: {
            required: false,
            description: `Any content type, up to ${MAX_BODY_BYTES} bytes; a signature covers the exact bytes sent.`,
            content: { "application/json": { schema: z.unknown() }, "*/*": { schema: z.string() } },
          },
        }),
      },
      responses: RESPONSES,
    });
  }
}
