import { describe, expect, it } from "vitest";
import type { ConnectorContext } from "@/lib/engine/connector";
import type { WebhookRespondOutcome, WebhookResponse } from "@/lib/engine/webhook-response";
import { compare } from "@/lib/connectors/condition";
import { connectorRegistry } from "@/lib/connectors";
import { validateDefinition } from "@/lib/engine/validate";

/** A context whose respondToWebhook records each answer and reports `outcome`. */
function context(outcome: WebhookRespondOutcome = { responded: false, reason: "not_webhook_run" }): ConnectorContext & {
  lines: [string, string][];
  responses: WebhookResponse[];
} {
  const lines: [string, string][] = [];
  const responses: WebhookResponse[] = [];
  return {
    runId: "run_1",
    blockId: "b",
    organizationId: "org",
    signal: new AbortController().signal,
    lines,
    responses,
    log: (level, message) => lines.push([level, message]),
    respondToWebhook: async (response) => (responses.push(response), outcome),
  };
}

async function run(type: string, params: Record<string, unknown>, outcome?: WebhookRespondOutcome) {
  const connector = connectorRegistry.get(type)!;
  const ctx = context(outcome);
  const output = await connector.run!(ctx, connector.params.parse(params));
  return { output, lines: ctx.lines, responses: ctx.responses };
}

describe("built-in connectors that run without I/O", () => {
  it("greet says hello", async () => {
    expect((await run("greet", { name: "Ada" })).output).toEqual({ message: "Hello, Ada!" });
  });

  it("condition compares numbers that arrive as strings as numbers", async () => {
    expect(compare("10", "gt", 9)).toBe(true);
    expect(compare("10", "gt", "9")).toBe(true); // numerically, not as text
    expect(compare("abc", "gt", "abd")).toBe(false);
    expect(compare(50, "gte", "50")).toBe(true);
    expect(compare("5", "eq", 5)).toBe(true);
    expect(compare({ a: 1 }, "eq", { a: 1 })).toBe(true);
    expect(compare("hello world", "contains", "world")).toBe(true);
    expect(compare([1, 2, 3], "contains", "2")).toBe(true);
    expect(compare("hello", "starts_with", "he")).toBe(true);
    expect(compare(null, "exists")).toBe(false);
    expect(compare(0, "exists")).toBe(true);
    expect(compare([], "empty")).toBe(true);
    expect(compare({}, "empty")).toBe(true);
    expect(compare(" ", "empty")).toBe(false);
    expect(compare(1, "neq", 2)).toBe(true);
    expect(compare(3, "lt", 4)).toBe(true);
    expect(compare(4, "lte", 4)).toBe(true);
  });

  it("condition takes the true or false handle", async () => {
    expect((await run("condition", { left: 60, op: "gte", right: 50 })).output).toEqual({ branch: "true", output: { result: true } });
    expect((await run("condition", { left: "40", op: "gte", right: 50 })).output).toEqual({ branch: "false", output: { result: false } });
  });

  it("switch takes the first matching case, else default", async () => {
    const cases = [
      { handle: "eu", equals: "eu" },
      { handle: "n5", equals: 5 },
    ];
    expect((await run("switch", { value: "eu", cases })).output).toMatchObject({ branch: "eu" });
    expect((await run("switch", { value: "5", cases })).output).toMatchObject({ branch: "n5" });
    expect((await run("switch", { value: "us", cases })).output).toMatchObject({ branch: "default" });
    expect(connectorRegistry.get("switch")!.params.safeParse({ value: 1, cases: [{ handle: "default", equals: 1 }] }).success).toBe(false);
  });

  it("transform returns its value and log writes one entry", async () => {
    expect((await run("transform", { value: { a: [1, { b: null }] } })).output).toEqual({ value: { a: [1, { b: null }] } });
    const logged = await run("log", { message: "hi", level: "warn" });
    expect(logged.output).toEqual({ message: "hi" });
    expect(logged.lines).toEqual([["warn", "hi"]]);
  });
});

describe("respond_webhook", () => {
  const connector = connectorRegistry.get("respond_webhook")!;
  const issues = (params: Record<string, unknown>) => {
    const parsed = connector.params.safeParse(params);
    return parsed.success ? [] : parsed.error.issues.map((i: { path: PropertyKey[]; message: string }) => ({ path: i.path.join("."), message: i.message }));
  };

  it("answers with the status, lower-case headers and a JSON body as application/json; the output says it responded", async () => {
    const { output, responses, lines } = await run(
      "respond_webhook",
      { status: 201, headers: { "X-Order": "o-1", Location: "/orders/o-1" }, body: { ok: true, id: "o-1" } },
      { responded: true },
    );
    expect(responses).toEqual([
      { status: 201, headers: { "x-order": "o-1", location: "/orders/o-1", "content-type": "application/json" }, body: '{"ok":true,"id":"o-1"}' },
    ]);
    expect(output).toEqual({ status: 201, responded: true });
    expect(lines).toEqual([]);
  });

  it("sends text as text/plain, keeps a given content-type, defaults to 200, and sends no body (nor content-type) when there is none", async () => {
    expect((await run("respond_webhook", { body: "thanks" })).responses[0]).toEqual({
      status: 200,
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: "thanks",
    });
    expect((await run("respond_webhook", { headers: { "Content-Type": "application/xml" }, body: "<ok/>" })).responses[0]).toEqual({
      status: 200,
      headers: { "content-type": "application/xml" },
      body: "<ok/>",
    });
    expect((await run("respond_webhook", { status: 202 })).responses[0]).toEqual({ status: 202, headers: {}, body: null });
    expect((await run("respond_webhook", { status: 204, headers: { "Content-Type": "text/plain" } })).responses[0]).toEqual({
      status: 204,
      headers: {},
      body: null,
    });
    expect((await run("respond_webhook", { body: 42 })).responses[0]).toMatchObject({ headers: { "content-type": "application/json" }, body: "42" });
  });

  it("a run no webhook started, or one already answered, is a no-op that logs why and outputs responded: false", async () => {
    const manual = await run("respond_webhook", { body: "hi" }, { responded: false, reason: "not_webhook_run" });
    expect(manual.output).toEqual({ status: 200, responded: false });
    expect(manual.lines).toEqual([["info", expect.stringContaining("No webhook call started this run")]]);
    const second = await run("respond_webhook", { body: "hi" }, { responded: false, reason: "already_responded", respondedBy: "first" });
    expect(second.output).toEqual({ status: 200, responded: false });
    expect(second.lines).toEqual([["info", expect.stringContaining('already answered by block "first"')]]);
  });

  it("refuses hop-by-hop, framing, origin-wide, security-policy, CORS and Weft's own headers, each named in the issue", () => {
    const refused = [
      "Set-Cookie",
      "set-cookie2",
      "Content-Length",
      "Transfer-Encoding",
      "Connection",
      "Keep-Alive",
      "Upgrade",
      "TE",
      "Trailer",
      "Content-Encoding",
      "Proxy-Authenticate",
      "Strict-Transport-Security",
      "Clear-Site-Data",
      "Alt-Svc",
      "Content-Security-Policy",
      "X-Frame-Options",
      "X-Content-Type-Options",
      "Access-Control-Allow-Origin",
      "X-Weft-Run-Id",
      "RateLimit-Remaining",
      "X-Request-Id",
    ];
    for (const name of refused) {
      expect(issues({ headers: { [name]: "x" } }), name).toEqual([{ path: "headers", message: expect.stringContaining(`${name} may not be set`) }]);
    }
    expect(issues({ headers: { "X-Ok": "1", Location: "/x", "Cache-Control": "no-store", "Retry-After": "5", "WWW-Authenticate": "Bearer" } })).toEqual([]);
  });

  it("refuses a bad header name, a value with CR, LF or NUL, one name given twice, and statuses outside 200–599", () => {
    expect(issues({ headers: { "bad name": "x" } })[0].message).toContain("not a valid header name");
    expect(issues({ headers: { "X-A": "a\r\nSet-Cookie: s=1" } })[0].message).toContain("CR, LF or NUL");
    expect(issues({ headers: { "X-A": "a\nb" } })).toHaveLength(1);
    expect(issues({ headers: { "X-A": "a\u0000" } })).toHaveLength(1);
    expect(issues({ headers: { "X-A": "1", "x-a": "2" } })[0].message).toContain("given twice");
    for (const status of [100, 101, 199, 600, 200.5]) expect(issues({ status }), String(status)).toMatchObject([{ path: "status" }]);
    for (const status of [200, 302, 404, 599]) expect(issues({ status }), String(status)).toEqual([]);
  });

  it("refuses a body with 204, 205 or 304, and a body over 1 MB fails the block with response_too_large", async () => {
    for (const status of [204, 205, 304]) expect(issues({ status, body: { a: 1 } }), String(status)).toEqual([{ path: "body", message: `a ${status} answer has no body` }]);
    expect(issues({ status: 204, body: "" })).toEqual([]);
    const failed = await run("respond_webhook", { body: "x".repeat(1024 * 1024 + 1) }).catch((error: { code?: string }) => error);
    expect(failed).toMatchObject({ code: "response_too_large" });
  });

  it("at patch time a templated header value or body passes (it is checked once resolved); a refused header name never does", () => {
    const definition = (params: Record<string, unknown>) => ({
      blocks: [
        { id: "trg", type: "trigger_webhook", params: {} },
        { id: "answer", type: "respond_webhook", params },
      ],
      edges: [{ source: "trg", target: "answer" }],
    });
    expect(validateDefinition(definition({ status: 204, headers: { "X-Id": "{{trg.body.id}}" }, body: "{{trg.body.note}}" }), connectorRegistry)).toEqual([]);
    expect(validateDefinition(definition({ headers: { "Set-Cookie": "{{trg.body.cookie}}" } }), connectorRegistry)).toMatchObject([
      { code: "invalid_param", block_id: "answer", field: "headers", error: expect.stringContaining("Set-Cookie may not be set") },
    ]);
  });
});
