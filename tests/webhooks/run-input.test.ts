/** The run input of an inbound webhook (lib/webhooks/run-input.ts): credentials out, body parsed by type. */
import { describe, expect, it } from "vitest";
import { buildWebhookRunInput, webhookBody } from "@/lib/webhooks/run-input";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("buildWebhookRunInput", () => {
  it("keeps the method, lower-case headers without credentials, and the first value of each query parameter", () => {
    const request = new Request("http://x/api/webhooks/whk_a?a=1&a=2&b=&__proto__=p", {
      method: "PUT",
      headers: {
        Authorization: "Bearer s",
        "X-Weft-Signature": "t=1,v1=00",
        Cookie: "c=1",
        "Proxy-Authorization": "Basic x",
        "X-Api-Key": "weft_x",
        "X-Event": "ping",
        "Content-Type": "application/json",
      },
      body: '{"ok":true}',
    });
    const input = buildWebhookRunInput(request, bytes('{"ok":true}'));
    expect(input.method).toBe("PUT");
    expect(input.headers).toEqual({ "x-event": "ping", "content-type": "application/json" });
    expect(input.query).toEqual({ a: "1", b: "", ["__proto__"]: "p" });
    expect(Object.getPrototypeOf(input.query)).toBe(Object.prototype);
    expect(input.body).toEqual({ ok: true });
  });
});

describe("webhookBody", () => {
  it("parses JSON only when the content type says JSON and it parses; else text; empty is null", () => {
    expect(webhookBody("application/json; charset=utf-8", bytes('{"a":[1]}'))).toEqual({ a: [1] });
    expect(webhookBody("application/cloudevents+json", bytes("1"))).toBe(1);
    expect(webhookBody("application/json", bytes("{oops"))).toBe("{oops");
    expect(webhookBody("text/plain", bytes('{"a":1}'))).toBe('{"a":1}');
    expect(webhookBody(null, bytes("a=1&b=2"))).toBe("a=1&b=2");
    expect(webhookBody("application/json", bytes(""))).toBeNull();
    expect(webhookBody("text/plain", bytes("héllo ✓"))).toBe("héllo ✓");
  });
});
