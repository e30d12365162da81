/**
 * The inbound webhook endpoint resource (docs/runs.md, "Inbound webhooks"), as zod schemas: the one
 * declaration the store and the API's OpenAPI document derive from. The secret appears only in the
 * answers to create and rotate, never in the endpoint itself.
 */
import { z } from "zod";

/** The methods an endpoint may allow. */
export const WEBHOOK_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export const WebhookMethodSchema = z.enum(WEBHOOK_METHODS);
export type WebhookMethod = z.infer<typeof WebhookMethodSchema>;

/**
 * How a call is answered when it sends no `?wait`: `accepted`, 202 `{ runId }` at once; `wait`,
 * wait up to `waitSeconds` for the workflow's answer (a respond_webhook block) or its end, as
 * `?wait=<waitSeconds>` would. A call's own `?wait` always wins (`?wait=0`: answer at once).
 */
export const WEBHOOK_RESPONSE_MODES = ["accepted", "wait"] as const;
export const WebhookResponseModeSchema = z.enum(WEBHOOK_RESPONSE_MODES);
export type WebhookResponseMode = z.infer<typeof WebhookResponseModeSchema>;
/** The longest an endpoint may wait: the same bound as `?wait` (MAX_RUN_WAIT_SECONDS). */
export const MAX_ENDPOINT_WAIT_SECONDS = 30;
export const DEFAULT_ENDPOINT_WAIT_SECONDS = 10;
export const EndpointWaitSecondsSchema = z.number().int().min(1).max(MAX_ENDPOINT_WAIT_SECONDS);

const timestamp = () => z.string().meta({ format: "date-time" });

const endpointFields = {
  id: z.string().meta({ example: "whk_k3v9x0q2m5h7c2b4n4z6" }),
  url: z.string().describe("Where senders call: <base URL>/api/webhooks/<id>"),
  methods: z.array(WebhookMethodSchema),
  responseMode: WebhookResponseModeSchema.describe(
    "accepted: a call without ?wait gets 202 { runId } at once; wait: it waits up to waitSeconds for the workflow's answer (respond_webhook) or its result. ?wait on a call always wins",
  ),
  waitSeconds: EndpointWaitSecondsSchema.describe(`How long a call waits in responseMode wait (1–${MAX_ENDPOINT_WAIT_SECONDS} s)`),
  createdAt: timestamp(),
};

const SecretField = z
  .string()
  .describe(
    "Shown once. Send it as `Authorization: Bearer <secret>`, or sign: `X-Weft-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\" keyed with this string>`.",
  )
  .meta({ example: "whsec_3q2-7wEXAMPLEm1dT0vYq1e8V0fZyG8ZxN3xM4t2JkLh0" });

/** An endpoint as lists show it. */
export const WebhookEndpointSchema = z
  .object({ ...endpointFields, rotatedAt: timestamp().nullable() })
  .describe("An inbound endpoint; its secret is never listed.");
export type WebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;

/** The answer to a create: the endpoint and its secret, shown this once. */
export const CreatedWebhookEndpointSchema = z.object({ ...endpointFields, secret: SecretField });
export type CreatedWebhookEndpoint = z.infer<typeof CreatedWebhookEndpointSchema>;

/** The answer to a rotation: the new secret, and until when the previous one still works. */
export const RotatedWebhookSecretSchema = z.object({
  id: z.string(),
  secret: SecretField,
  previousSecretValidUntil: timestamp().describe("The old secret keeps working until then (24 h)"),
});
export type RotatedWebhookSecret = z.infer<typeof RotatedWebhookSecretSchema>;
