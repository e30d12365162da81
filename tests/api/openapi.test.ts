import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pkg from "@/package.json";
import { call, createTestApp, type TestApp } from "../helpers/api";

interface Operation {
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }>; headers?: Record<string, unknown> }>;
  parameters?: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[];
  security?: Record<string, string[]>[];
  requestBody?: { content?: Record<string, unknown> };
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, string>>; schemas: Record<string, unknown> };
  security: Record<string, string[]>[];
}

/** Every route of the control plane (issue 3), as `METHOD path` with OpenAPI path templates. */
const ROUTES = [
  "GET /api/health",
  "GET /api/me",
  "POST /api/keys",
  "GET /api/keys",
  "DELETE /api/keys/{id}",
  "POST /api/workflows",
  "GET /api/workflows",
  "GET /api/workflows/{id}",
  "PATCH /api/workflows/{id}",
  "DELETE /api/workflows/{id}",
  "POST /api/workflows/{id}/operations",
  "PUT /api/workflows/{id}/definition",
  "GET /api/workflows/{id}/versions",
  "GET /api/workflows/{id}/versions/{version}",
  "POST /api/workflows/{id}/restore",
  "GET /api/connectors",
  "GET /api/connectors/{type}",
  "POST /api/secrets",
  "GET /api/secrets",
  "DELETE /api/secrets/{name}",
  "POST /api/workflows/{id}/run",
  "GET /api/runs",
  "GET /api/runs/{runId}",
  "GET /api/runs/{runId}/logs",
  "GET /api/runs/{runId}/stream",
  "POST /api/runs/{runId}/cancel",
  "POST /api/runs/{runId}/events",
  "POST /api/events",
  "POST /api/schedules",
  "GET /api/schedules",
  "GET /api/schedules/{id}",
  "PATCH /api/schedules/{id}",
  "DELETE /api/schedules/{id}",
  "POST /api/admin/tick",
  "GET /api/settings/retention",
  "PUT /api/settings/retention",
  "POST /api/workflows/{id}/webhooks",
  "GET /api/workflows/{id}/webhooks",
  "DELETE /api/workflows/{id}/webhooks/{endpointId}",
  "POST /api/workflows/{id}/webhooks/{endpointId}/rotate",
  "POST /api/webhooks/{endpointId}",
  "POST /api/mcp",
];
/** Inbound webhooks: authenticated by the endpoint's secret, not by a Weft principal; any method an endpoint may allow. */
const INBOUND = "/api/webhooks/{endpointId}";
const INBOUND_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
/** The MCP server: API keys only (no cookie). */
const MCP = "POST /api/mcp";
const OPEN = new Set(["GET /api/health", "GET /api/openapi.json", "POST /api/auth/sign-up/email", "POST /api/auth/sign-in/email"]);

/** `METHOD /path/{x}` with every path parameter renamed `{}`, so the test does not pin parameter names. */
const shape = (route: string) => route.replace(/\{[^}]+\}/g, "{}");

describe("GET /api/openapi.json", () => {
  let app: TestApp;
  let doc: Document;
  let operations: Map<string, Operation>;

  beforeAll(async () => {
    app = await createTestApp();
    const res = await call(app, "GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    doc = res.body;
    operations = new Map();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) operations.set(shape(`${method.toUpperCase()} ${path}`), operation);
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  it("is an OpenAPI 3.1 document titled for Weft at the package version, served without credentials", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: "Weft control plane", version: pkg.version });
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
  });

  it("lists every route of the control plane with its method", () => {
    const missing = ROUTES.filter((route) => !operations.has(shape(route)));
    expect(missing).toEqual([]);
  });

  it("declares the three ways in and requires one of them by default (and the two ways of inbound webhooks)", () => {
    expect(doc.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: "http", scheme: "bearer" }),
      apiKey: expect.objectContaining({ type: "apiKey", in: "header", name: "x-api-key" }),
      cookie: expect.objectContaining({ type: "apiKey", in: "cookie", name: "better-auth.session_token" }),
      webhookSecret: expect.objectContaining({ type: "http", scheme: "bearer" }),
      webhookSignature: expect.objectContaining({ type: "apiKey", in: "header", name: "X-Weft-Signature" }),
    });
    expect(doc.security).toEqual([{ bearer: [] }, { apiKey: [] }, { cookie: [] }]);
  });

  it("open routes opt out of security; authenticated ones inherit it and document 401 and 429", () => {
    for (const [route, operation] of operations) {
      const open = [...OPEN].some((o) => shape(o) === route);
      if (route.endsWith(shape(INBOUND))) {
        expect(operation.security, route).toEqual([{ webhookSecret: [] }, { webhookSignature: [] }]);
      } else if (route === MCP) {
        expect(operation.security, route).toEqual([{ bearer: [] }, { apiKey: [] }]);
        expect(Object.keys(operation.responses ?? {}), route).toEqual(expect.arrayContaining(["401", "429"]));
      } else if (open) {
        expect(operation.security, route).toEqual([]);
      } else {
        expect(operation.security, route).toBeUndefined();
        expect(Object.keys(operation.responses ?? {}), route).toEqual(expect.arrayContaining(["401", "429"]));
      }
    }
    // better-auth is described briefly: sign-up and sign-in only.
    expect(operations.has("POST /api/auth/sign-up/email")).toBe(true);
    expect(operations.has("POST /api/auth/sign-in/email")).toBe(true);
  });

  it("documents the 4xx errors of each route with the Error schema", () => {
    const expectations: Record<string, string[]> = {
      "POST /api/secrets": ["400", "403", "413", "415"],
      "DELETE /api/secrets/{name}": ["403", "404"],
      "GET /api/secrets": ["400"],
      "POST /api/keys": ["400", "403"],
      "GET /api/workflows/{id}": ["404"],
      "POST /api/workflows/{id}/operations": ["400", "404", "412"],
      "PUT /api/settings/retention": ["400", "403", "415"],
    };
    for (const [route, statuses] of Object.entries(expectations)) {
      const responses = operations.get(shape(route))?.responses ?? {};
      expect(Object.keys(responses), route).toEqual(expect.arrayContaining(statuses));
    }
    for (const [route, operation] of operations) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        expect(response.description, `${route} ${status}`).toBeTruthy();
        if (/^4\d\d$/.test(status) && !route.includes("/api/auth/")) {
          expect(response.content?.["application/json"]?.schema, `${route} ${status}`).toEqual({ $ref: "#/components/schemas/Error" });
        }
      }
      // Every operation answers something on success.
      expect(Object.keys(operation.responses ?? {}).some((s) => /^2\d\d$/.test(s)), route).toBe(true);
    }
    expect(doc.components.schemas.Error).toBeDefined();
  });

  it("describes the inbound webhook endpoint for every method an endpoint may allow: secret or signature, ?wait, Idempotency-Key and each answer", () => {
    const item = doc.paths[INBOUND];
    expect(item, "the inbound path is in the document").toBeDefined();
    expect(Object.keys(item).map((m) => m.toUpperCase()).sort()).toEqual([...INBOUND_METHODS].sort());
    for (const method of INBOUND_METHODS) {
      const operation = item[method.toLowerCase()];
      const route = `${method} ${INBOUND}`;
      expect(operation.security, route).toEqual([{ webhookSecret: [] }, { webhookSignature: [] }]);
      const parameters = Object.fromEntries((operation.parameters ?? []).map((p) => [`${p.in}:${p.name}`, p]));
      expect(Object.keys(parameters).sort(), route).toEqual(["header:Idempotency-Key", "path:endpointId", "query:wait"]);
      expect(parameters["query:wait"]).toMatchObject({ required: false, schema: { minimum: 0, maximum: 30 } });
      expect(parameters["header:Idempotency-Key"]).toMatchObject({ required: false, schema: { maxLength: 200 } });
      const responses = operation.responses ?? {};
      expect(Object.keys(responses).sort(), route).toEqual(["200", "202", "400", "401", "404", "405", "409", "413", "422", "429", "503"]);
      expect(responses["202"].content?.["application/json"]?.schema, route).toEqual({ $ref: "#/components/schemas/WebhookAccepted" });
      expect(responses["200"].content?.["application/json"]?.schema, route).toEqual({ $ref: "#/components/schemas/WebhookRunFinished" });
      expect(responses["405"].headers, route).toHaveProperty("Allow");
      expect(responses["429"].headers, route).toHaveProperty("Retry-After");
      // Only the methods that carry a body describe one; it may be any content type.
      if (["POST", "PUT", "PATCH"].includes(method)) expect(Object.keys(operation.requestBody?.content ?? {}), route).toContain("*/*");
      else expect(operation.requestBody, route).toBeUndefined();
    }
    expect(doc.components.schemas.WebhookAccepted).toMatchObject({ required: ["runId"] });
    expect(doc.components.schemas.WebhookRunFinished).toMatchObject({
      properties: { status: { enum: ["succeeded", "failed", "canceled"] } },
    });
  });

  it("is internally consistent: path parameters are declared, every $ref resolves", () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const placeholders = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const [method, operation] of Object.entries(item)) {
        const declared = (operation.parameters ?? []).filter((p) => p.in === "path");
        expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual(placeholders);
        for (const p of declared) expect(p.required, `${method} ${path} ${p.name}`).toBe(true);
      }
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) expect(doc.components.schemas[ref], ref).toBeDefined();
  });

  it("describes request bodies as JSON, and secret values only as input", () => {
    expect(operations.get("POST /api/secrets")?.requestBody?.content).toHaveProperty("application/json");
    const secret = JSON.stringify(doc.components.schemas.Secret);
    expect(secret).toContain("name");
    expect(secret).not.toContain('"value"');
  });
});
