import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiDocument } from "@/app/docs/api/openapi-document";
import { curlCalls, operationFor, readWalkthroughs } from "@/app/docs/api/quickstart";
import { buildReference, type Reference, type ReferenceOperation } from "@/app/docs/api/reference";
import { describeSchema, type Field } from "@/app/docs/api/schema-view";
import { openApiDocument } from "@/lib/api/openapi";
import { call, createTestApp, type TestApp } from "../helpers/api";

/** The keys of an OpenAPI path item that are operations (the page's own list is not used, so it can be wrong). */
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** `METHOD /path` of every operation in `document`. */
function documentRoutes(document: ApiDocument): string[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => HTTP_METHODS.includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

function operations(reference: Reference): ReferenceOperation[] {
  return reference.tags.flatMap((tag) => tag.operations);
}

function find(reference: Reference, route: string): ReferenceOperation {
  const found = operations(reference).find((operation) => `${operation.method.toUpperCase()} ${operation.path}` === route);
  expect(found, route).toBeDefined();
  return found!;
}

function field(fields: Field[], name: string): Field {
  const found = fields.find((f) => f.name === name);
  expect(found, name).toBeDefined();
  return found!;
}

describe("the API reference (/docs/api) built from the control plane's OpenAPI document", () => {
  let app: TestApp;
  let document: ApiDocument;
  let reference: Reference;

  beforeAll(async () => {
    app = await createTestApp();
    document = openApiDocument(app.api) as ApiDocument;
    reference = buildReference(document);
  });
  afterAll(async () => {
    await app?.close();
  });

  it("renders the very document GET /api/openapi.json serves", async () => {
    const served = await call(app, "GET", "/api/openapi.json");
    expect(served.status).toBe(200);
    expect(document).toEqual(served.body);
  });

  it("lists every operation of the document exactly once, under its first tag, tags in the document's order", () => {
    const listed = operations(reference).map((operation) => `${operation.method.toUpperCase()} ${operation.path}`);
    expect([...listed].sort()).toEqual(documentRoutes(document).sort());
    expect(new Set(listed).size).toBe(listed.length);
    for (const tag of reference.tags) {
      for (const operation of tag.operations) {
        const declared = (document.paths![operation.path][operation.method] as { tags?: string[] }).tags?.[0];
        expect(declared, `${operation.method} ${operation.path}`).toBe(tag.name);
      }
    }
    const declaredOrder = (document.tags ?? []).map((tag) => tag.name).filter((name) => reference.tags.some((tag) => tag.name === name));
    expect(reference.tags.slice(0, declaredOrder.length).map((tag) => tag.name)).toEqual(declaredOrder);
    // Runs, schedules, webhooks (inbound included) and MCP are there.
    for (const route of ["POST /api/workflows/{id}/run", "GET /api/runs/{runId}/stream", "POST /api/schedules", "POST /api/webhooks/{endpointId}", "POST /api/workflows/{id}/webhooks", "POST /api/mcp"]) {
      find(reference, route);
    }
  });

  it("gives every operation a unique anchor", () => {
    const anchors = [...reference.tags.map((tag) => tag.anchor), ...operations(reference).map((operation) => operation.anchor)];
    expect(new Set(anchors).size).toBe(anchors.length);
    for (const anchor of anchors) expect(anchor).toMatch(/^[a-z0-9-]+$/);
    expect(find(reference, "POST /api/workflows/{id}/run").anchor).toBe("post-api-workflows-id-run");
  });

  it("resolves $refs into readable fields: types, required, enum values, limits and nesting", () => {
    const list = find(reference, "GET /api/runs").responses.find((response) => response.status === "200")!;
    expect(list.schemaName).toBe("RunList");
    const data = field(list.view!.fields, "data");
    expect(data.type).toBe("array of Run");
    expect(data.required).toBe(true);
    const status = field(data.fields, "status");
    expect(status.enumValues).toEqual(["queued", "running", "waiting", "succeeded", "failed", "canceled"]);
    const waitingOn = field(data.fields, "waitingOn");
    expect(waitingOn).toMatchObject({ type: "object", nullable: true });
    expect(field(waitingOn.fields, "kind").enumValues).toEqual(["event", "duration", "children"]);
    expect(field(list.view!.fields, "nextCursor")).toMatchObject({ type: "string", nullable: true });

    const patch = find(reference, "POST /api/workflows/{id}/operations");
    expect(patch.parameters.map((group) => group.location)).toEqual(["path", "header"]);
    expect(field(patch.parameters[1].fields, "If-Match").description).toMatch(/412/);
    expect(field(patch.body!.view.fields, "ops").constraints).toContain("at most 1000 items");
    expect(patch.auth).toEqual(["bearer", "apiKey", "cookie"]);

    const inbound = find(reference, "POST /api/webhooks/{endpointId}");
    expect(inbound.auth).toEqual(["webhookSecret", "webhookSignature"]);
    expect(field(inbound.parameters.find((group) => group.location === "query")!.fields, "wait").constraints).toContain("0–30");
    expect(find(reference, "GET /api/health").auth).toEqual([]);
  });

  it("names the error object and gathers every error answer by status", () => {
    expect(reference.errorSchema?.name).toBe("Error");
    expect(field(reference.errorSchema!.view.fields, "error").required).toBe(true);
    const statuses = reference.errors.map((row) => row.status);
    expect(statuses).toEqual(expect.arrayContaining(["400", "401", "404", "409", "412", "429"]));
    expect(statuses.every((status) => /^[45]/.test(status))).toBe(true);
    const conflicts = reference.errors.find((row) => row.status === "412")!.descriptions.map((d) => d.text);
    expect(conflicts.join(" ")).toContain("version_mismatch");
  });

  it("gives every operation a curl command for its own method and path, with its credential and a JSON body that parses", () => {
    for (const operation of operations(reference)) {
      const route = `${operation.method.toUpperCase()} ${operation.path}`;
      const [first] = operation.curl.split(" \\\n");
      const path = operation.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}/g, "[^/?\"]+");
      const method = operation.method === "get" ? "" : ` -X ${operation.method.toUpperCase()}`;
      expect(first, route).toMatch(new RegExp(`^curl${method} "\\$URL${path}(\\?[^"]*)?"$`));
      if (operation.auth.length === 0) expect(operation.curl, route).not.toMatch(/Authorization|x-api-key/);
      else expect(operation.curl, route).toMatch(/-H "(Authorization: Bearer \$(KEY|SECRET)|x-api-key: \$KEY)"/);
      const body = /-d '([\s\S]*)'$/.exec(operation.curl)?.[1];
      if (operation.body?.mediaTypes.includes("application/json") && body) expect(() => JSON.parse(body.replace(/'\\''/g, "'")), route).not.toThrow();
    }
    const run = find(reference, "POST /api/workflows/{id}/operations").curl;
    expect(run).toContain(`"$URL/api/workflows/wf_k3v9x0q2m5h7c1b8n4z6/operations"`);
    expect(run).toContain(`-H 'If-Match: 3'`);
    expect(run).toContain(`"operation_type": "add"`);
  });

  it("shows the README's curl walkthroughs, and every route they call is in the document", async () => {
    const walkthroughs = await readWalkthroughs();
    expect(walkthroughs.map((w) => w.title)).toEqual(["An agent's loop", "Schedules and webhooks"]);
    const calls = walkthroughs.flatMap((walkthrough) => curlCalls(walkthrough.script));
    const onServer = calls.filter((c) => c.path !== null);
    expect(onServer.length).toBeGreaterThanOrEqual(14);
    const unknown = onServer.filter((c) => !operationFor(reference.tags, c)).map((c) => `${c.method} ${c.path}`);
    expect(unknown).toEqual([]);
    expect(operationFor(reference.tags, { method: "POST", path: "/api/workflows/$WF/operations" })?.path).toBe("/api/workflows/{id}/operations");
    expect(operationFor(reference.tags, { method: "POST", path: "/api/workflows/$WF/nowhere" })).toBeUndefined();
  });
});

describe("schema views", () => {
  const document: ApiDocument = {
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    components: {
      schemas: {
        Node: { type: "object", properties: { name: { type: "string" }, children: { type: "array", items: { $ref: "#/components/schemas/Node" } } }, required: ["name"] },
        Named: { type: "object", properties: { id: { type: "string", minLength: 1, maxLength: 20 } }, required: ["id"] },
        Dated: { type: "object", properties: { at: { type: "string", format: "date-time" } } },
      },
    },
  };

  it("expands a schema that contains itself once, then names it instead of following it forever", () => {
    const view = describeSchema(document, { $ref: "#/components/schemas/Node" });
    const children = field(view.fields, "children");
    expect(children.type).toBe("array of Node");
    expect(children.recursive).toBe(true);
    expect(children.fields).toEqual([]);
  });

  it("merges allOf members and reads nullable alternatives", () => {
    const merged = describeSchema(document, { allOf: [{ $ref: "#/components/schemas/Named" }, { $ref: "#/components/schemas/Dated" }] });
    expect(merged.fields.map((f) => [f.name, f.required])).toEqual([
      ["id", true],
      ["at", false],
    ]);
    expect(field(merged.fields, "id").constraints).toEqual(["1–20 characters"]);
    expect(field(merged.fields, "at").constraints).toEqual(["format date-time"]);
    const nullable = describeSchema(document, { anyOf: [{ $ref: "#/components/schemas/Named" }, { type: "null" }] });
    expect(nullable).toMatchObject({ type: "object", schemaName: "Named", nullable: true });
    const either = describeSchema(document, { oneOf: [{ $ref: "#/components/schemas/Named" }, { $ref: "#/components/schemas/Dated" }] });
    expect(either.type).toBe("Named | Dated");
    expect(either.variants.map((v) => v.schemaName)).toEqual(["Named", "Dated"]);
    expect(describeSchema(document, { anyOf: [{ type: "string" }, { type: "number" }] }).type).toBe("string | number");
    expect(describeSchema(document, { oneOf: [{ $ref: "#/components/schemas/Named" }, { type: "object", properties: { x: { type: "integer" } } }] }).type).toBe("one of");
  });

  it("does not fail on a broken $ref", () => {
    expect(describeSchema(document, { $ref: "#/components/schemas/Missing" })).toMatchObject({ type: "Missing", recursive: true });
  });
});
