/**
 * Webhook endpoint ids and secrets (docs/runs.md, "Inbound webhooks"). The id is public (it is in the URL); the secret
 * is what a sender proves itself with, shown once on creation and on rotation, and stored
 * encrypted (lib/secrets) under a binding to its organization and endpoint, so a ciphertext
 * copied onto another endpoint row does not decrypt.
 */
import { randomBytes } from "node:crypto";
import type { SecretBinding } from "@/lib/secrets";

/** `whk_` and 20 characters of base32 (100 random bits). */
export const WEBHOOK_ENDPOINT_ID_PATTERN = /^whk_[a-z2-7]{20}$/;

/**
 * How long the previous secret keeps working after a rotation: 24 hours, long enough for a
 * sender's configuration to be updated (and deployed) without dropping deliveries, short enough
 * that a leaked secret stops working the next day. Rotating again within the window drops the
 * older secret at once: only the current and the one before it are ever valid.
 */
export const SECRET_ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

/** The methods an endpoint may allow. */
export const WEBHOOK_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** A new endpoint id: `whk_` and 20 random base32 characters. */
export function newWebhookEndpointId(): string {
  return `whk_${[...randomBytes(20)].map((byte) => BASE32[byte & 31]).join("")}`;
}

/** A new endpoint secret: `whsec_` and 32 random bytes as base64url (43 characters). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

/** Where an endpoint's secrets are bound (the AAD of their ciphertexts). */
export function webhookSecretBinding(organizationId: string, endpointId: string): SecretBinding {
  return { organizationId, name: `webhook:${endpointId}` };
}
