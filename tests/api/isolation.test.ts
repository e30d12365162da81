/**
 * Tenancy is structural (docs/architecture.md, "Tenancy and auth"): another organization's workflow is 404 `not_found` on every
 * workflow route, for sessions and API keys alike, and nothing it sends changes the workflow.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";

let app: TestApp;
let alice: TestUser;
let aliceKey: Record<string, string>;
let bob: TestUser;
let bobKey: Record<string, string>;
let workflowId: string;
let before: unknown;

beforeAll(async () => {
  app = await createTestApp();
  alice = await signUp(app);
  bob = await signUp(app);
  aliceKey = (await createApiKey(app, alice)).headers;
  bobKey = (await createApiKey(app, bob)).headers;
  const created = await call(app, "POST", "/api/workflows", {
    headers: aliceKey,
    body: { name: "Alice's", definition: { blocks: [{ id: "trg", type: "trigger_manual", params: {} }], edges: [] } },
  });
  workflowId = created.body.id;
  const patched = await call(app, "POST", `/api/workflows/${workflowId}/operations`, {
    headers: aliceKey,
    body: { ops: [{ operation_type: "add", block_id: "g", type: "greet", params: { name: "Ada" } }, { operation_type: "connect", block_id: "trg", target_block_id: "g" }] },
  });
  expect(patched.body.version).toBe(2);
  before = (await call(app, "GET", `/api/workflows/${workflowId}`, { headers: aliceKey })).body;
});
afterAll(async () => {
  await app?.close();
});

/** Every workflow route, aimed at Alice's workflow, with a current If-Match where it applies. */
function everyRoute(id: string): { method: string; path: string; body?: unknown; headers?: Record<string, string> }[] {
  const base = `/api/workflows/${id}`;
  const ifMatch = { "if-match": "2" };
  return [
    { method: "GET", path: base },
    { method: "PATCH", path: base, body: { name: "Bob's now" } },
    { method: "PATCH", path: base, body: { name: "Bob's now" }, headers: ifMatch },
    { method: "DELETE", path: base },
    { method: "DELETE", path: base, headers: ifMatch },
    { method: "POST", path: `${base}/operations`, body: { ops: [{ operation_type: "remove", block_id: "g" }] } },
    { method: "POST", path: `${base}/operations`, body: { ops: [], dry_run: true }, headers: ifMatch },
    { method: "PUT", path: `${base}/definition`, body: { definition: { blocks: [], edges: [] } } },
    { method: "GET", path: `${base}/versions` },
    { method: "GET", path: `${base}/versions/1` },
    { method: "GET", path: `${base}/versions/2` },
    { method: "POST", path: `${base}/restore`, body: { version: 1 } },
    { method: "POST", path: `${base}/restore`, body: { version: 99 } },
  ];
}

describe("another organization's workflow", () => {
  it.each([
    ["session", () => bob.bearer],
    ["API key", () => bobKey],
  ])("is 404 not_found on every workflow route for the other org's %s", async (_label, headers) => {
    for (const route of everyRoute(workflowId)) {
      const res = await call(app, route.method, route.path, { headers: { ...headers(), ...route.headers }, body: route.body });
      expect(res.status, `${route.method} ${route.path}`).toBe(404);
      expect(res.body.error, `${route.method} ${route.path}`).toBe("not_found");
    }
    const list = await call(app, "GET", "/api/workflows?limit=100", { headers: headers() });
    expect(list.status).toBe(200);
    expect(list.body.data.some((w: { id: string }) => w.id === workflowId)).toBe(false);
  });

  it("is unchanged after all of that, with the same history, and its own org still reaches it", async () => {
    const now = await call(app, "GET", `/api/workflows/${workflowId}`, { headers: alice.bearer });
    expect(now.status).toBe(200);
    expect(now.body).toEqual(before);
    const history = await call(app, "GET", `/api/workflows/${workflowId}/versions`, { headers: aliceKey });
    expect(history.body.data.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const list = await call(app, "GET", "/api/workflows", { headers: aliceKey });
    expect(list.body.data.map((w: { id: string }) => w.id)).toContain(workflowId);
  });

  it("the same routes succeed for the owning organization (so the 404s above are about tenancy)", async () => {
    const ok = [
      await call(app, "GET", `/api/workflows/${workflowId}/versions/1`, { headers: aliceKey }),
      await call(app, "POST", `/api/workflows/${workflowId}/operations`, { headers: { ...aliceKey, "if-match": "2" }, body: { ops: [], dry_run: true } }),
      await call(app, "POST", `/api/workflows/${workflowId}/restore`, { headers: aliceKey, body: { version: 2, dry_run: true } }),
    ];
    for (const res of ok) expect(res.status).toBe(200);
  });
});
