/**
 * Webhook credential checks without I/O (lib/webhooks/signature.ts): what a sender's signature
 * looks like, the tolerance window, several secrets during a rotation, and malformed headers.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseSignatureHeader, SIGNATURE_TOLERANCE_SECONDS, verifyWebhookCredentials } from "@/lib/webhooks/signature";

const secret = "whsec_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const other = "whsec_ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut";
const body = '{"name":"Ada","emoji":"✓"}';
const rawBody = new TextEncoder().encode(body);
const now = 1_750_000_000;
const sign = (key: string, t: number | string, text = body) => createHmac("sha256", key).update(`${t}.${text}`).digest("hex");

function verify(headers: { authorization?: string; signature?: string }, secrets = [secret], nowSeconds = now) {
  return verifyWebhookCredentials({ authorization: headers.authorization, signature: headers.signature, rawBody, secrets, nowSeconds });
}

describe("verifyWebhookCredentials", () => {
  it("accepts the secret as a bearer token, with any case of the scheme", () => {
    expect(verify({ authorization: `Bearer ${secret}` })).toEqual({ ok: true, via: "bearer" });
    expect(verify({ authorization: `bearer ${secret}` })).toEqual({ ok: true, via: "bearer" });
  });

  it("accepts an HMAC computed over `<t>.<raw body>` with the secret's UTF-8 bytes", () => {
    expect(verify({ signature: `t=${now},v1=${sign(secret, now)}` })).toEqual({ ok: true, via: "signature" });
  });

  it("accepts timestamps up to the tolerance either way, and refuses one second beyond", () => {
    for (const skew of [-SIGNATURE_TOLERANCE_SECONDS, SIGNATURE_TOLERANCE_SECONDS]) {
      expect(verify({ signature: `t=${now + skew},v1=${sign(secret, now + skew)}` }).ok).toBe(true);
    }
    for (const skew of [-SIGNATURE_TOLERANCE_SECONDS - 1, SIGNATURE_TOLERANCE_SECONDS + 1]) {
      expect(verify({ signature: `t=${now + skew},v1=${sign(secret, now + skew)}` })).toEqual({ ok: false, reason: "timestamp_out_of_tolerance" });
    }
  });

  it("signs the timestamp exactly as sent: leading zeros are part of the signed text", () => {
    const t = `0${now}`;
    expect(verify({ signature: `t=${t},v1=${sign(secret, t)}` }).ok).toBe(true);
    expect(verify({ signature: `t=${t},v1=${sign(secret, now)}` })).toEqual({ ok: false, reason: "mismatch" });
  });

  it("any of several secrets (current and previous) and any of several v1 digests may match", () => {
    expect(verify({ authorization: `Bearer ${other}` }, [secret, other]).ok).toBe(true);
    expect(verify({ signature: `t=${now},v1=${sign(other, now)}` }, [secret, other]).ok).toBe(true);
    expect(verify({ signature: `t=${now},v1=${sign("nope", now)},v1=${sign(secret, now)}` }).ok).toBe(true);
  });

  it("refuses a wrong secret, a tampered body, a missing credential and an empty secret list", () => {
    expect(verify({ authorization: `Bearer ${other}` })).toEqual({ ok: false, reason: "mismatch" });
    expect(verify({ signature: `t=${now},v1=${sign(other, now)}` })).toEqual({ ok: false, reason: "mismatch" });
    expect(verify({ signature: `t=${now},v1=${sign(secret, now, body + " ")}` })).toEqual({ ok: false, reason: "mismatch" });
    expect(verify({})).toEqual({ ok: false, reason: "missing_credentials" });
    expect(verify({ authorization: `Basic ${secret}` })).toEqual({ ok: false, reason: "missing_credentials" });
    expect(verify({ authorization: `Bearer ${secret}` }, []).ok).toBe(false);
  });

  it("a valid signature is enough even when a wrong bearer is also sent", () => {
    expect(verify({ authorization: "Bearer something-else", signature: `t=${now},v1=${sign(secret, now)}` })).toEqual({ ok: true, via: "signature" });
  });
});

describe("parseSignatureHeader", () => {
  const digest = "a".repeat(64);
  it("reads t and every v1, tolerating spaces and ignoring other keys", () => {
    expect(parseSignatureHeader(`t=12, v1=${digest} ,v0=xyz,v1=${"B".repeat(64)}`)).toEqual({
      timestamp: "12",
      digests: [Buffer.from(digest, "hex"), Buffer.from("B".repeat(64), "hex")],
    });
  });

  it("refuses malformed headers", () => {
    for (const header of [
      "",
      digest,
      `v1=${digest}`,
      "t=12",
      `t=12,t=13,v1=${digest}`,
      `t=-12,v1=${digest}`,
      `t=1.5,v1=${digest}`,
      `t=1234567890123,v1=${digest}`,
      `t=12,v1=${digest.slice(1)}`,
      `t=12,v1=${"g".repeat(64)}`,
      `t=12,=x,v1=${digest}`,
      `t=12,v1=${digest},junk`,
      `t=12${",v1=".concat(digest).repeat(20)}`,
    ]) {
      expect(parseSignatureHeader(header), header).toBeNull();
    }
  });
});
