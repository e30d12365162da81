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

const timestamp = () => z.string().meta({ format: "date-time" });

const endpointFields = {
  id: z.string().meta({ example: "whk_k3v9x0q2m5h7c2b4n4z6" }),
  url: z.string().describe("Where senders call: <base URL>/api/webhooks/<id>"),
  methods: z.array(WebhookMethodSchema),
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
