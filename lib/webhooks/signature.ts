/**
 * How an inbound webhook proves it knows the endpoint secret (docs/runs.md, "Inbound webhooks"), without I/O:
 *
 * - `Authorization: Bearer <secret>`, compared in constant time; or
 * - `X-Weft-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, the HMAC keyed with the secret
 *   string exactly as returned (its UTF-8 bytes) over `"<t>.<raw body>"`, where `<t>` is the
 *   timestamp exactly as sent, accepted within 5 minutes either side of now. Several `v1=` entries
 *   may be sent (one per secret, while rotating); one matching is enough.
 *
 * Every secret in `secrets` (the current one, and the previous one during its grace period) is
 * tried; any credential that verifies is enough.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** How far the signed timestamp may be from now, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export type WebhookAuthFailure =
  /** Neither a Bearer Authorization nor an X-Weft-Signature header. */
  | "missing_credentials"
  /** X-Weft-Signature is not `t=<digits>,v1=<64 hex>[,v1=…]`. */
  | "malformed_signature"
  /** The signed timestamp is more than the tolerance away from now. */
  | "timestamp_out_of_tolerance"
  /** A credential was given, but no secret matches it. */
  | "mismatch";

export type WebhookAuthResult = { ok: true; via: "bearer" | "signature" } | { ok: false; reason: WebhookAuthFailure };

export interface ParsedSignature {
  /** The timestamp as sent (it is part of the signed text). */
  timestamp: string;
  /** The `v1` digests. */
  digests: Buffer[];
}

/** Parses `t=<unix seconds>,v1=<hex>[,v1=<hex>…]` (other keys ignored); null when malformed. */
export function parseSignatureHeader(header: string): ParsedSignature | null {
  let timestamp: string | null = null;
  const digests: Buffer[] = [];
  const parts = header.split(",");
  if (parts.length > 16) return null;
  for (const part of parts) {
    const eq = part.indexOf("=");
    if (eq < 1) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (timestamp !== null || !/^[0-9]{1,12}$/.test(value)) return null;
      timestamp = value;
    } else if (key === "v1") {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return null;
      digests.push(Buffer.from(value, "hex"));
    }
  }
  if (timestamp === null || digests.length === 0) return null;
  return { timestamp, digests };
}

/** The `v1` digest a sender computes: HMAC-SHA256(secret as UTF-8, `${timestamp}.${rawBody}`). */
export function webhookSignatureDigest(secret: string, timestamp: string, rawBody: Uint8Array): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`, "utf8").update(rawBody).digest();
}

/** Constant-time string equality: compares SHA-256 digests, so lengths leak nothing either. */
function sameSecret(given: string, secret: string): boolean {
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(secret, "utf8").digest();
  return timingSafeEqual(a, b);
}

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive), else null. */
function bearerToken(authorization: string | undefined): string | null {
  const match = authorization ? /^bearer\s+(\S.*)$/i.exec(authorization.trim()) : null;
  return match ? match[1].trim() : null;
}

/**
 * Checks the request's credentials against `secrets`. `nowSeconds` is the current Unix time.
 * Never throws; an empty `secrets` list verifies nothing.
 */
export function verifyWebhookCredentials(input: {
  authorization: string | undefined;
  signature: string | undefined;
  rawBody: Uint8Array;
  secrets: readonly string[];
  nowSeconds: number;
}): WebhookAuthResult {
  const token = bearerToken(input.authorization);
  const header = input.signature?.trim();
  if (token === null && !header) return { ok: false, reason: "missing_credentials" };

  // Compare against every secret (no early exit), so timing does not tell which one matched.
  if (token !== null) {
    let matched = false;
    for (const secret of input.secrets) matched = sameSecret(token, secret) || matched;
    if (matched) return { ok: true, via: "bearer" };
  }
  if (!header) return { ok: false, reason: "mismatch" };

  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: "malformed_signature" };
  if (Math.abs(input.nowSeconds - Number(parsed.timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, reason: "timestamp_out_of_tolerance" };
  }
  let matched = false;
  for (const secret of input.secrets) {
    const expected = webhookSignatureDigest(secret, parsed.timestamp, input.rawBody);
    for (const digest of parsed.digests) matched = timingSafeEqual(expected, digest) || matched;
  }
  return matched ? { ok: true, via: "signature" } : { ok: false, reason: "mismatch" };
}
