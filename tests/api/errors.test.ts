/**
 * App-wide (docs/architecture.md, "Errors and lists"): every bad input gets a 4xx with a stable code in a JSON body, never a 500,
 * and changes nothing. Exercised through the routes that take bodies and lists: secrets, keys,
 * workflows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call as rawCall, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";

const MB = 1024 * 1024;

describe("errors and lists (docs/architecture.md, Errors and lists)", () => {
  let app: TestApp;
  let owner: TestUser;
  let workflowId: string;
  let workflowVersion: number;
  /** Every response with status ≥ 400 this file received. */
  const errors: { what: string; status: number; body: unknown; contentType: string | null }[] = [];

  const call: typeof rawCall = async (target, method, path, options) => {
    const response = await rawCall(target, method, path, options);
    if (response.status >= 400) {
      errors.push({ what: `${method} ${path}`, status: response.status, body: response.body, contentType: response.headers.get("content-type") });
    }
    return response;
  };

  /** The state a bad request must not change. */
  async function snapshot() {
    const headers = owner.bearer;
    const [secrets, keys, workflows, workflow] = await Promise.all([
      call(app, "GET", "/api/secrets?limit=100", { headers }),
      call(app, "GET", "/api/keys?limit=100", { headers }),
      call(app, "GET", "/api/workflows?limit=100", { headers }),
      call(app, "GET", `/api/workflows/${workflowId}`, { headers }),
    ]);
    for (const res of [secrets, keys, workflows, workflow]) expect(res.status).toBe(200);
    return { secrets: secrets.body, keys: keys.body, workflows: workflows.body, workflow: workflow.body };
  }
  let before: Awaited<ReturnType<typeof snapshot>>;

  /** Routes that take a JSON body, with a valid body for each. */
  const bodyRoutes = () => [
    { method: "POST", path: "/api/secrets", valid: { name: "FROM_ERRORS", value: "v" } },
    { method: "POST", path: "/api/keys", valid: { name: "from errors" } },
    { method: "POST", path: "/api/workflows", valid: { name: "from errors" } },
    { method: "PATCH", path: `/api/workflows/${workflowId}`, valid: { name: "renamed" } },
    { method: "POST", path: `/api/workflows/${workflowId}/operations`, valid: { ops: [] } },
    { method: "PUT", path: `/api/workflows/${workflowId}/definition`, valid: { definition: { blocks: [], edges: [] } } },
  ];
  const listRoutes = ["/api/secrets", "/api/keys", "/api/workflows", `/api/workflows/${"WF"}/versions`];
  const lists = () => listRoutes.map((path) => path.replace("WF", workflowId));

  beforeAll(async () => {
    app = await createTestApp();
    owner = await signUp(app);
    const headers = owner.bearer;
    expect((await call(app, "POST", "/api/secrets", { headers, body: { name: "EXISTING", value: "v" } })).status).toBe(201);
    expect((await call(app, "POST", "/api/keys", { headers, body: { name: "existing" } })).status).toBe(201);
    const workflow = await call(app, "POST", "/api/workflows", { headers, body: { name: "existing" } });
    expect(workflow.status).toBe(201);
    workflowId = workflow.body.id;
    workflowVersion = workflow.body.version;
    before = await snapshot();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("malformed JSON → 400 invalid_body", async () => {
    for (const route of bodyRoutes()) {
      for (const rawBody of ['{"name":', "{name: 'x'}", "not json", '{"a":1}}', "\u0000"]) {
        const res = await call(app, route.method, route.path, {
          headers: { ...owner.bearer, "content-type": "application/json" },
          rawBody,
        });
        expect(res.status, `${route.method} ${route.path} ${rawBody}`).toBe(400);
        expect(res.body.error).toBe("invalid_body");
      }
    }
  });

  it("a body that is valid JSON but not an object → 400 invalid_body", async () => {
    for (const route of bodyRoutes()) {
      for (const rawBody of ["[]", '"text"', "42", "null", "true", "[".repeat(100_000) + "]".repeat(100_000)]) {
        const res = await call(app, route.method, route.path, { headers: { ...owner.bearer, "content-type": "application/json" }, rawBody });
        expect(res.status, `${route.method} ${route.path} ${rawBody.slice(0, 10)}`).toBe(400);
        expect(res.body.error).toBe("invalid_body");
      }
    }
  });

  it("a body that is not JSON → 415 unsupported_media_type, even when it parses as JSON", async () => {
    for (const route of bodyRoutes()) {
      for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/jsonx"]) {
        const res = await call(app, route.method, route.path, {
          headers: { ...owner.bearer, "content-type": type },
          rawBody: JSON.stringify(route.valid),
        });
        expect(res.status, `${route.method} ${route.path} ${type}`).toBe(415);
        expect(res.body.error).toBe("unsupported_media_type");
      }
      // No Content-Type at all (a byte body, so the runtime adds none).
      const res = await app.api.request(route.path, {
        method: route.method,
        headers: owner.bearer,
        body: new TextEncoder().encode(JSON.stringify(route.valid)),
      });
      expect(res.status, `${route.method} ${route.path} without content-type`).toBe(415);
      const body = await res.json();
      errors.push({ what: `${route.method} ${route.path} untyped`, status: res.status, body, contentType: res.headers.get("content-type") });
      expect(body.error).toBe("unsupported_media_type");
      // A non-JSON type declared on an empty body gets the same answer.
      const empty = await call(app, route.method, route.path, { headers: { ...owner.bearer, "content-type": "text/plain" } });
      expect(empty.status, `${route.method} ${route.path} empty text/plain`).toBe(415);
      expect(empty.body.error).toBe("unsupported_media_type");
    }
    // JSON with parameters or a +json suffix is JSON.
    const charset = await call(app, "POST", "/api/workflows", {
      headers: { ...owner.bearer, "content-type": "application/json; charset=utf-8" },
      rawBody: JSON.stringify({ unexpected: true }),
    });
    expect(charset.status).toBe(400);
    expect(charset.body.error).toBe("invalid_body");
  });

  it("a body over 1 MB → 413 payload_too_large, with or without a declared length", async () => {
    const huge = JSON.stringify({ name: "HUGE", value: "x".repeat(MB) });
    for (const route of bodyRoutes()) {
      const undeclared = await call(app, route.method, route.path, { headers: { ...owner.bearer, "content-type": "application/json" }, rawBody: huge });
      expect(undeclared.status, `${route.method} ${route.path}`).toBe(413);
      expect(undeclared.body.error).toBe("payload_too_large");
      const declared = await call(app, route.method, route.path, {
        headers: { ...owner.bearer, "content-type": "application/json", "content-length": String(Buffer.byteLength(huge)) },
        rawBody: huge,
      });
      expect(declared.status).toBe(413);
      expect(declared.body.error).toBe("payload_too_large");
    }
    // Just under the limit is parsed and judged by its schema instead.
    const underLimit = JSON.stringify({ name: "BIG", value: "x".repeat(MB - 100) });
    const res = await call(app, "POST", "/api/secrets", { headers: { ...owner.bearer, "content-type": "application/json" }, rawBody: underLimit });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_body");
  });

  it("a body over 1 MB is refused before authentication reads anything else", async () => {
    const res = await call(app, "POST", "/api/secrets", {
      headers: { "content-type": "application/json" },
      rawBody: JSON.stringify({ name: "HUGE", value: "x".repeat(MB) }),
    });
    expect(res.status).toBe(413);
  });

  it("unknown fields → 400 invalid_body with zod issues", async () => {
    for (const route of bodyRoutes()) {
      for (const extra of [{ unexpected: 1 }, { __proto__x: 1 }]) {
        const res = await call(app, route.method, route.path, { headers: owner.bearer, body: { ...route.valid, ...extra } });
        expect(res.status, `${route.method} ${route.path}`).toBe(400);
        expect(res.body.error).toBe("invalid_body");
        expect(Array.isArray(res.body.issues)).toBe(true);
        expect(JSON.stringify(res.body.issues)).toContain("unrecognized_keys");
      }
      // A literal "__proto__" key in the JSON text is an own, unknown field too.
      const proto = await call(app, route.method, route.path, {
        headers: { ...owner.bearer, "content-type": "application/json" },
        rawBody: JSON.stringify(route.valid).replace(/^\{/, '{"__proto__":{"polluted":true},'),
      });
      expect(proto.status, `${route.method} ${route.path} __proto__`).toBe(400);
      expect(proto.body.error).toBe("invalid_body");
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it("wrong types → 400 invalid_body with issues", async () => {
    const cases: [string, string, unknown][] = [
      ["POST", "/api/secrets", { name: 5, value: "v" }],
      ["POST", "/api/secrets", { name: "OK_NAME", value: true }],
      ["POST", "/api/secrets", { name: ["A"], value: { v: 1 } }],
      ["POST", "/api/keys", { name: 123 }],
      ["POST", "/api/keys", { name: "k", expiresInDays: "7" }],
      ["POST", "/api/keys", { name: "k", expiresInDays: 1.5 }],
      ["POST", "/api/keys", { name: "k", expiresInDays: -1 }],
      ["POST", "/api/workflows", { name: 123 }],
      ["POST", "/api/workflows", { definition: "blocks" }],
      ["PATCH", `/api/workflows/${workflowId}`, { name: [] }],
      ["POST", `/api/workflows/${workflowId}/operations`, { ops: "add" }],
      ["POST", `/api/workflows/${workflowId}/operations`, { ops: [], dry_run: "yes" }],
      ["PUT", `/api/workflows/${workflowId}/definition`, { definition: [] }],
      ["POST", `/api/workflows/${workflowId}/restore`, { version: "1" }],
    ];
    for (const [method, path, body] of cases) {
      const res = await call(app, method, path, { headers: owner.bearer, body });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.error).toBe("invalid_body");
      expect(res.body.issues.length).toBeGreaterThan(0);
    }
    // A required body that is missing altogether is a bad body, not a crash.
    for (const [method, path] of [["POST", "/api/secrets"], ["POST", "/api/keys"], ["PATCH", `/api/workflows/${workflowId}`]]) {
      const res = await call(app, method, path, { headers: owner.bearer });
      expect(res.status, `${method} ${path} without body`).toBe(400);
      expect(res.body.error).toBe("invalid_body");
    }
  });

  it("bad limit → 400 invalid_query on every list", async () => {
    for (const path of lists()) {
      for (const limit of ["0", "-1", "101", "abc", "99999999999999999999", "1.5", "", "1e400", "NaN", "Infinity"]) {
        const res = await call(app, "GET", `${path}?limit=${encodeURIComponent(limit)}`, { headers: owner.bearer });
        expect(res.status, `${path} limit=${limit}`).toBe(400);
        expect(res.body.error).toBe("invalid_query");
        expect(res.body.issues.length).toBeGreaterThan(0);
      }
      const repeated = await call(app, "GET", `${path}?limit=1&limit=2`, { headers: owner.bearer });
      expect(repeated.status).toBe(400);
      expect(repeated.body.error).toBe("invalid_query");
      const unknown = await call(app, "GET", `${path}?offset=3`, { headers: owner.bearer });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error).toBe("invalid_query");
      // The edges of the range are fine.
      for (const limit of ["1", "100"]) expect((await call(app, "GET", `${path}?limit=${limit}`, { headers: owner.bearer })).status).toBe(200);
    }
  });

  it("a cursor that is not one the list returned → 400 invalid_cursor", async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const garbage = ["garbage", "!!!", "%00", b64({ t: "yesterday", id: 1 }), b64([1, 2]), b64("x"), b64({ n: "lower" }), b64({ o: -1 }), "e30"];
    for (const path of lists()) {
      for (const cursor of garbage) {
        const res = await call(app, "GET", `${path}?cursor=${encodeURIComponent(cursor)}`, { headers: owner.bearer });
        expect(res.status, `${path} cursor=${cursor}`).toBe(400);
        expect(res.body.error).toBe("invalid_cursor");
      }
      const tooLong = await call(app, "GET", `${path}?cursor=${"A".repeat(600)}`, { headers: owner.bearer });
      expect(tooLong.status).toBe(400);
      expect(["invalid_query", "invalid_cursor"]).toContain(tooLong.body.error);
    }
    // One list's cursor is not another's.
    const secretCursor = b64({ n: "EXISTING" });
    const res = await call(app, "GET", `/api/workflows?cursor=${secretCursor}`, { headers: owner.bearer });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_cursor");
  });

  it("an unknown route or method → 404 not_found as JSON (after authentication)", async () => {
    const cases: [string, string][] = [
      ["GET", "/api/nope"],
      ["POST", "/api/nope"],
      ["GET", "/api"],
      ["GET", "/api/secrets/EXISTING"],
      ["PUT", "/api/secrets"],
      ["PATCH", "/api/keys"],
      ["GET", "/api/workflows/x/y/z"],
      ["GET", "/nope"],
    ];
    for (const [method, path] of cases) {
      const res = await call(app, method, path, { headers: owner.bearer });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error).toBe("not_found");
    }
    // Without credentials, an unknown /api route does not reveal whether it exists.
    const anonymous = await call(app, "GET", "/api/nope");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe("unauthorized");
  });

  it("a malformed If-Match → 400 invalid_if_match", async () => {
    for (const ifMatch of ["abc", "0", "-1", "1.5", "99999999999"]) {
      const res = await call(app, "PATCH", `/api/workflows/${workflowId}`, {
        headers: { ...owner.bearer, "if-match": ifMatch },
        body: { name: "renamed" },
      });
      expect(res.status, ifMatch).toBe(400);
      expect(res.body.error).toBe("invalid_if_match");
    }
    expect(workflowVersion).toBe(1);
  });

  it("none of it changed anything", async () => {
    expect(await snapshot()).toEqual(before);
  });

  it("every error was JSON with a string `error` code, and none was a 500", () => {
    expect(errors.length).toBeGreaterThan(150);
    for (const error of errors) {
      expect(error.status, error.what).toBeLessThan(500);
      expect(error.contentType, error.what).toMatch(/^application\/json/);
      expect(typeof (error.body as { error?: unknown } | null)?.error, error.what).toBe("string");
    }
  });
});
