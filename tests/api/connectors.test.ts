/**
 * The connector catalog over HTTP (docs/connectors.md): full and summary projections generated from the
 * registry, one entry by type, pagination, and hidden params never shown.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectorRegistry } from "@/lib/connectors";
import { call, createApiKey, createTestApp, signUp, type TestApp } from "../helpers/api";

let app: TestApp;
let agent: Record<string, string>;

beforeAll(async () => {
  app = await createTestApp();
  const owner = await signUp(app);
  agent = (await createApiKey(app, owner)).headers;
});
afterAll(async () => {
  await app?.close();
});

const get = (path: string) => call(app, "GET", path, { headers: agent });
const types = connectorRegistry.types();

describe("connector catalog", () => {
  it("lists every registered connector in full detail by default", async () => {
    const res = await get("/api/connectors");
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.data.map((e: { type: string }) => e.type)).toEqual(types);
    const http = res.body.data.find((e: { type: string }) => e.type === "http_request");
    expect(http).toMatchObject({ name: "HTTP request", kind: "action", category: "network", openOutputs: false });
    expect(http.handles).toContain("error");
    expect(http.params.map((p: { name: string }) => p.name)).toEqual(["method", "url", "headers", "query", "auth", "body", "body_type", "response_type", "timeout_ms", "retries", "max_response_bytes", "fail_on_status"]);
    expect(http.params.find((p: { name: string }) => p.name === "url")).toMatchObject({ required: true, type: "string", visibility: "llm" });
    expect(http.paramsSchema).toMatchObject({ type: "object", properties: expect.objectContaining({ url: expect.any(Object) }) });
    expect(http.outputs.map((o: { name: string }) => o.name)).toEqual(["status", "headers", "body"]);
    const condition = res.body.data.find((e: { type: string }) => e.type === "condition");
    expect(condition.handles).toEqual(expect.arrayContaining(["true", "false"]));
  });

  it("?detail=summary gives the compact projection for a system prompt", async () => {
    const res = await get("/api/connectors?detail=summary");
    expect(res.status).toBe(200);
    expect(res.body.data.map((e: { type: string }) => e.type)).toEqual(types);
    const greet = res.body.data.find((e: { type: string }) => e.type === "greet");
    expect(greet).toEqual({
      type: "greet",
      name: "Greet",
      kind: "action",
      description: "Builds a greeting for a name.",
      params: ["name*: string"],
      outputs: ["message"],
      handles: ["error"],
    });
    expect(JSON.stringify(res.body).length).toBeLessThan(JSON.stringify((await get("/api/connectors")).body).length / 2);
  });

  it("limit and cursor page through the catalog, each entry exactly once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/api/connectors?detail=summary&limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((e: { type: string }) => e.type));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toEqual(types);
    expect(pages).toBe(Math.ceil(types.length / 4));
  });

  it("GET /api/connectors/:type gives one full entry, or the summary with ?detail=summary", async () => {
    const full = await get("/api/connectors/wait_for_event");
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ type: "wait_for_event", kind: "wait" });
    expect(full.body.handles).toEqual(expect.arrayContaining(["timeout", "error"]));
    expect(full.body).toEqual((await get("/api/connectors")).body.data.find((e: { type: string }) => e.type === "wait_for_event"));
    const summary = await get("/api/connectors/wait_for_event?detail=summary");
    expect(summary.body.params).toEqual(expect.arrayContaining([expect.stringMatching(/^event\*: /)]));
  });

  it("the full entry carries editor hints: http_request's method is a select of the seven methods; the summary has none", async () => {
    const res = await get("/api/connectors/http_request");
    expect(res.status).toBe(200);
    const method = res.body.params.find((p: { name: string }) => p.name === "method");
    expect(method.ui).toEqual({ label: "Method", widget: "select", options: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] });
    for (const param of res.body.params) expect(param.ui, param.name).toMatchObject({ label: expect.any(String), widget: expect.any(String) });
    expect(res.body.params.find((p: { name: string }) => p.name === "timeout_ms").ui).toMatchObject({ widget: "number", advanced: true });
    const summary = await get("/api/connectors/http_request?detail=summary");
    expect(JSON.stringify(summary.body)).not.toMatch(/"ui"|"widget"/);
  });

  it("an unknown type is 404 not_found", async () => {
    for (const type of ["send_fax", "__proto__", "constructor", "HTTP_REQUEST"]) {
      const res = await get(`/api/connectors/${type}`);
      expect(res.status, type).toBe(404);
      expect(res.body.error).toBe("not_found");
    }
  });

  it("hidden params never appear in any catalog response", async () => {
    const bodies = await Promise.all(
      [
        "/api/connectors",
        "/api/connectors?detail=full",
        "/api/connectors?detail=summary",
        "/api/connectors/http_request",
        "/api/connectors/http_request?detail=summary",
        "/api/connectors?limit=1&cursor=" + Buffer.from(JSON.stringify({ o: types.indexOf("http_request") })).toString("base64url"),
      ].map(async (path) => {
        const res = await get(path);
        expect(res.status, path).toBe(200);
        return JSON.stringify(res.body);
      }),
    );
    for (const text of bodies) {
      expect(text).toContain("http_request");
      expect(text).not.toContain("allow_private_network");
      expect(text).not.toContain("hidden");
    }
  });

  it("bad queries are 400 with stable codes", async () => {
    const cases: [string, string][] = [
      ["/api/connectors?detail=verbose", "invalid_query"],
      ["/api/connectors?detail=", "invalid_query"],
      ["/api/connectors?limit=0", "invalid_query"],
      ["/api/connectors?limit=101", "invalid_query"],
      ["/api/connectors?limit=-5", "invalid_query"],
      ["/api/connectors?limit=ten", "invalid_query"],
      ["/api/connectors?page=2", "invalid_query"],
      ["/api/connectors?cursor=!!!", "invalid_cursor"],
      ["/api/connectors?cursor=" + Buffer.from(JSON.stringify({ o: -1 })).toString("base64url"), "invalid_cursor"],
      ["/api/connectors/http_request?detail=tiny", "invalid_query"],
      ["/api/connectors/http_request?limit=5", "invalid_query"],
    ];
    for (const [path, code] of cases) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.error, path).toBe(code);
    }
  });

  it("the catalog needs credentials", async () => {
    const res = await call(app, "GET", "/api/connectors");
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("unauthorized");
  });
});
