/**
 * Webhook endpoints over HTTP (docs/runs.md, "Inbound webhooks"): managing them (create, list, delete, rotate, tenancy),
 * how a sender proves itself (bearer, HMAC, rotation grace) — every refusal is a 401 that starts
 * no run — and code-defined routes. Requests, bodies and limits: tests/webhooks/inbound.test.ts.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { quickstart, startTestWorker } from "../helpers/runtime";

let app: TestApp;
let owner: TestUser;
let stranger: TestUser;
let worker: { stop(): Promise<void> };
let workflowId: string;
/** What registering a duplicate code route threw at start-up. */
let duplicateError: unknown;

beforeAll(async () => {
  app = await createTestApp();
  // Start-up: code routes are registered before the app serves anything.
  app.api.webhooks.register({
    path: "/ops/ping",
    method: "POST",
    handler: async (c) => c.json({ pong: true, got: await c.req.text() }, 200),
  });
  try {
    app.api.webhooks.register({ path: "/ops/ping", method: "post", handler: (c) => c.json({}) });
  } catch (error) {
    duplicateError = error;
  }
  owner = await signUp(app);
  stranger = await signUp(app);
  worker = await startTestWorker(app);
  workflowId = await createWorkflow(owner.bearer);
});
afterAll(async () => {
  await worker?.stop();
  await app?.close();
});

async function createWorkflow(headers: Record<string, string>): Promise<string> {
  const res = await call(app, "POST", "/api/workflows", { headers, body: { name: "hook", definition: quickstart } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function createEndpoint(wf = workflowId, body?: unknown, headers = owner.bearer) {
  const res = await call(app, "POST", `/api/workflows/${wf}/webhooks`, { headers, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; url: string; secret: string; methods: string[]; createdAt: string };
}

/** The `v1` digest exactly as a sender computes it. */
const sign = (secret: string, t: number | string, rawBody: string) => createHmac("sha256", secret).update(`${t}.${rawBody}`).digest("hex");
const now = () => Math.floor(Date.now() / 1000);

async function send(endpointId: string, options: { headers?: Record<string, string>; rawBody?: string; method?: string } = {}) {
  const rawBody = options.rawBody ?? JSON.stringify({ name: "Ada" });
  return call(app, options.method ?? "POST", `/api/webhooks/${endpointId}`, {
    headers: { "content-type": "application/json", ...options.headers },
    rawBody,
  });
}

async function runCount(organizationId = owner.organizationId): Promise<number> {
  const [row] = await app.database.sql<{ n: number }[]>`select count(*)::int as n from runs where organization_id = ${organizationId}`;
  return row.n;
}

describe("managing endpoints", () => {
  it("creating returns the URL and a whsec_ secret once; the list never contains it, and it is encrypted at rest", async () => {
    const endpoint = await createEndpoint();
    expect(endpoint.id).toMatch(/^whk_[a-z2-7]{20}$/);
    expect(endpoint.url).toBe(`${app.baseUrl}/api/webhooks/${endpoint.id}`);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(endpoint.methods).toEqual(["POST"]);
    expect(Number.isNaN(Date.parse(endpoint.createdAt))).toBe(false);

    const list = await call(app, "GET", `/api/workflows/${workflowId}/webhooks`, { headers: owner.bearer });
    expect(list.status).toBe(200);
    const listed = list.body.data.find((e: { id: string }) => e.id === endpoint.id);
    expect(listed).toEqual({ id: endpoint.id, url: endpoint.url, methods: ["POST"], responseMode: "accepted", waitSeconds: 10, createdAt: endpoint.createdAt, rotatedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(endpoint.secret);

    const rows = await app.database.sql`select * from webhook_endpoints where id = ${endpoint.id}`;
    expect(JSON.stringify(rows)).not.toContain(endpoint.secret.slice(6));
  });

  it("keeps the chosen methods in canonical order; unknown methods, an empty list or unknown fields are 400 invalid_body", async () => {
    expect((await createEndpoint(workflowId, { methods: ["PUT", "GET", "GET"] })).methods).toEqual(["GET", "PUT"]);
    for (const body of [{ methods: ["TRACE"] }, { methods: [] }, { methods: ["post"] }, { methods: "POST" }, { extra: 1 }]) {
      const res = await call(app, "POST", `/api/workflows/${workflowId}/webhooks`, { headers: owner.bearer, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe("invalid_body");
    }
  });

  it("an API key (a member) can create, list, rotate and delete endpoints", async () => {
    const key = await createApiKey(app, owner, "hooks");
    const endpoint = await createEndpoint(workflowId, undefined, key.headers);
    expect((await call(app, "GET", `/api/workflows/${workflowId}/webhooks`, { headers: key.headers })).status).toBe(200);
    expect((await call(app, "POST", `/api/workflows/${workflowId}/webhooks/${endpoint.id}/rotate`, { headers: key.headers })).status).toBe(200);
    expect((await call(app, "DELETE", `/api/workflows/${workflowId}/webhooks/${endpoint.id}`, { headers: key.headers })).status).toBe(204);
  });

  it("lists page through every endpoint of the workflow with cursors; a bad cursor is 400 invalid_cursor", async () => {
    const wf = await createWorkflow(owner.bearer);
    const made = [await createEndpoint(wf), await createEndpoint(wf), await createEndpoint(wf)].map((e) => e.id);
    const first = await call(app, "GET", `/api/workflows/${wf}/webhooks?limit=2`, { headers: owner.bearer });
    expect(first.body.data).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call(app, "GET", `/api/workflows/${wf}/webhooks?limit=2&cursor=${first.body.nextCursor}`, { headers: owner.bearer });
    expect(second.body.data).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const seen = [...first.body.data, ...second.body.data].map((e: { id: string }) => e.id);
    expect(seen.sort()).toEqual([...made].sort());
    const bad = await call(app, "GET", `/api/workflows/${wf}/webhooks?cursor=nope`, { headers: owner.bearer });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("invalid_cursor");
  });

  it("deleting is soft: 204, gone from the list, its URL answers 404, and deleting again is 404", async () => {
    const endpoint = await createEndpoint();
    const del = await call(app, "DELETE", `/api/workflows/${workflowId}/webhooks/${endpoint.id}`, { headers: owner.bearer });
    expect(del.status).toBe(204);
    const list = await call(app, "GET", `/api/workflows/${workflowId}/webhooks?limit=100`, { headers: owner.bearer });
    expect(list.body.data.map((e: { id: string }) => e.id)).not.toContain(endpoint.id);
    const before = await runCount();
    const inbound = await send(endpoint.id, { headers: { authorization: `Bearer ${endpoint.secret}` } });
    expect(inbound.status).toBe(404);
    expect(inbound.body.error).toBe("not_found");
    expect(await runCount()).toBe(before);
    const again = await call(app, "DELETE", `/api/workflows/${workflowId}/webhooks/${endpoint.id}`, { headers: owner.bearer });
    expect(again.status).toBe(404);
    const [row] = await app.database.sql`select deleted_at is not null as deleted from webhook_endpoints where id = ${endpoint.id}`;
    expect(row.deleted).toBe(true);
  });

  it("another organization's workflow or endpoint is 404 not_found on every management route, and nothing changes", async () => {
    const endpoint = await createEndpoint();
    const strangerWf = await createWorkflow(stranger.bearer);
    const attempts: [string, string][] = [
      ["POST", `/api/workflows/${workflowId}/webhooks`],
      ["GET", `/api/workflows/${workflowId}/webhooks`],
      ["DELETE", `/api/workflows/${workflowId}/webhooks/${endpoint.id}`],
      ["POST", `/api/workflows/${workflowId}/webhooks/${endpoint.id}/rotate`],
      // The stranger's own workflow in the path does not reach the owner's endpoint either.
      ["DELETE", `/api/workflows/${strangerWf}/webhooks/${endpoint.id}`],
      ["POST", `/api/workflows/${strangerWf}/webhooks/${endpoint.id}/rotate`],
    ];
    for (const [method, path] of attempts) {
      const res = await call(app, method, path, { headers: stranger.bearer });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error).toBe("not_found");
    }
    // The endpoint is intact: its secret still works, it was never rotated.
    expect((await send(endpoint.id, { headers: { authorization: `Bearer ${endpoint.secret}` } })).status).toBe(202);
    const list = await call(app, "GET", `/api/workflows/${workflowId}/webhooks?limit=100`, { headers: owner.bearer });
    expect(list.body.data.find((e: { id: string }) => e.id === endpoint.id).rotatedAt).toBeNull();
  });

  it("an endpoint is reached only through its own workflow; unknown workflows and endpoints are 404", async () => {
    const endpoint = await createEndpoint();
    const otherWf = await createWorkflow(owner.bearer);
    for (const [method, path] of [
      ["DELETE", `/api/workflows/${otherWf}/webhooks/${endpoint.id}`],
      ["POST", `/api/workflows/${otherWf}/webhooks/${endpoint.id}/rotate`],
      ["DELETE", `/api/workflows/${workflowId}/webhooks/whk_aaaaaaaaaaaaaaaaaaaa`],
      ["POST", `/api/workflows/${workflowId}/webhooks/whk_aaaaaaaaaaaaaaaaaaaa/rotate`],
      ["GET", `/api/workflows/wf_doesnotexist/webhooks`],
      ["POST", `/api/workflows/wf_doesnotexist/webhooks`],
    ]) {
      const res = await call(app, method, path, { headers: owner.bearer });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error).toBe("not_found");
    }
  });

  it("deleting the workflow takes its endpoints with it: management and inbound are 404", async () => {
    const wf = await createWorkflow(owner.bearer);
    const endpoint = await createEndpoint(wf);
    expect((await call(app, "DELETE", `/api/workflows/${wf}`, { headers: owner.bearer })).status).toBe(204);
    expect((await call(app, "GET", `/api/workflows/${wf}/webhooks`, { headers: owner.bearer })).status).toBe(404);
    const before = await runCount();
    const inbound = await send(endpoint.id, { headers: { authorization: `Bearer ${endpoint.secret}` } });
    expect(inbound.status).toBe(404);
    expect(await runCount()).toBe(before);
  });

  it("management routes need credentials", async () => {
    const res = await call(app, "GET", `/api/workflows/${workflowId}/webhooks`);
    expect(res.status).toBe(401);
  });
});

describe("how a sender proves itself", () => {
  let endpoint: Awaited<ReturnType<typeof createEndpoint>>;
  beforeAll(async () => {
    endpoint = await createEndpoint();
  });

  it("Authorization: Bearer <secret> starts a run with trigger webhook", async () => {
    const res = await send(endpoint.id, { headers: { authorization: `Bearer ${endpoint.secret}` } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toEqual({ runId: expect.stringMatching(/^run_/) });
    const run = await call(app, "GET", `/api/runs/${res.body.runId}`, { headers: owner.bearer });
    expect(run.body).toMatchObject({ workflowId, trigger: "webhook" });
  });

  it("an X-Weft-Signature computed as a sender would (HMAC-SHA256 of `<t>.<raw body>` keyed with the secret) is accepted", async () => {
    const rawBody = JSON.stringify({ name: "Grace", note: "ünïcødé ✓" });
    const t = now();
    const res = await send(endpoint.id, { rawBody, headers: { "x-weft-signature": `t=${t},v1=${sign(endpoint.secret, t, rawBody)}` } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    // Within the tolerance either way.
    for (const skew of [-240, 240]) {
      const ts = now() + skew;
      const ok = await send(endpoint.id, { rawBody, headers: { "x-weft-signature": `t=${ts},v1=${sign(endpoint.secret, ts, rawBody)}` } });
      expect(ok.status, `skew ${skew}`).toBe(202);
    }
  });

  it("refusals are 401 invalid_signature and start no run", async () => {
    const rawBody = JSON.stringify({ name: "Mallory" });
    const t = now();
    const good = sign(endpoint.secret, t, rawBody);
    const wrongSecret = "whsec_" + "A".repeat(43);
    const cases: [string, Record<string, string>, string?][] = [
      ["missing credentials", {}],
      ["wrong secret as bearer", { authorization: `Bearer ${wrongSecret}` }],
      ["the secret in another scheme", { authorization: `Basic ${endpoint.secret}` }],
      ["an empty bearer", { authorization: "Bearer " }],
      ["the secret with a suffix", { authorization: `Bearer ${endpoint.secret}x` }],
      ["wrong secret in the HMAC", { "x-weft-signature": `t=${t},v1=${sign(wrongSecret, t, rawBody)}` }],
      ["tampered body", { "x-weft-signature": `t=${t},v1=${good}` }, JSON.stringify({ name: "Mallory", admin: true })],
      ["stale timestamp (6 minutes old)", { "x-weft-signature": `t=${t - 360},v1=${sign(endpoint.secret, t - 360, rawBody)}` }],
      ["future timestamp (6 minutes ahead)", { "x-weft-signature": `t=${t + 360},v1=${sign(endpoint.secret, t + 360, rawBody)}` }],
      ["a signed timestamp swapped for a fresh one", { "x-weft-signature": `t=${t + 1},v1=${good}` }],
      ["malformed: no t", { "x-weft-signature": `v1=${good}` }],
      ["malformed: no v1", { "x-weft-signature": `t=${t}` }],
      ["malformed: short digest", { "x-weft-signature": `t=${t},v1=${good.slice(0, 40)}` }],
      ["malformed: not key=value", { "x-weft-signature": good }],
      ["malformed: a timestamp that is not digits", { "x-weft-signature": `t=${t}ms,v1=${good}` }],
      ["the HMAC digest sent as a bearer", { authorization: `Bearer ${good}` }],
    ];
    for (const [name, headers, body] of cases) {
      const before = await runCount();
      const res = await send(endpoint.id, { headers, rawBody: body ?? rawBody });
      expect(res.status, name).toBe(401);
      expect(res.body.error, name).toBe("invalid_signature");
      expect(await runCount(), name).toBe(before);
    }
  });

  it("after a rotation the previous secret works during its grace period and not after it; the new one works", async () => {
    const rotating = await createEndpoint();
    const rotated = await call(app, "POST", `/api/workflows/${workflowId}/webhooks/${rotating.id}/rotate`, { headers: owner.bearer });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ id: rotating.id, secret: expect.stringMatching(/^whsec_/), previousSecretValidUntil: expect.any(String) });
    expect(rotated.body.secret).not.toBe(rotating.secret);
    const graceHours = (Date.parse(rotated.body.previousSecretValidUntil) - Date.now()) / 3_600_000;
    expect(graceHours).toBeGreaterThan(23.9);
    expect(graceHours).toBeLessThanOrEqual(24.01);

    const rawBody = JSON.stringify({ name: "Ada" });
    const hmac = (secret: string) => {
      const t = now();
      return { "x-weft-signature": `t=${t},v1=${sign(secret, t, rawBody)}` };
    };
    expect((await send(rotating.id, { headers: { authorization: `Bearer ${rotating.secret}` } })).status).toBe(202);
    expect((await send(rotating.id, { rawBody, headers: hmac(rotating.secret) })).status).toBe(202);
    expect((await send(rotating.id, { headers: { authorization: `Bearer ${rotated.body.secret}` } })).status).toBe(202);

    const list = await call(app, "GET", `/api/workflows/${workflowId}/webhooks?limit=100`, { headers: owner.bearer });
    expect(list.body.data.find((e: { id: string }) => e.id === rotating.id).rotatedAt).toEqual(expect.any(String));
    expect(JSON.stringify(list.body)).not.toContain(rotated.body.secret);

    await app.database.sql`update webhook_endpoints set previous_secret_expires_at = now() - interval '1 second' where id = ${rotating.id}`;
    const before = await runCount();
    expect((await send(rotating.id, { headers: { authorization: `Bearer ${rotating.secret}` } })).status).toBe(401);
    expect((await send(rotating.id, { rawBody, headers: hmac(rotating.secret) })).status).toBe(401);
    expect(await runCount()).toBe(before);
    expect((await send(rotating.id, { rawBody, headers: hmac(rotated.body.secret) })).status).toBe(202);
  });

  it("rotating twice drops the oldest secret at once: only the current and the previous one are valid", async () => {
    const e = await createEndpoint();
    const path = `/api/workflows/${workflowId}/webhooks/${e.id}/rotate`;
    const second = (await call(app, "POST", path, { headers: owner.bearer })).body.secret as string;
    const third = (await call(app, "POST", path, { headers: owner.bearer })).body.secret as string;
    expect((await send(e.id, { headers: { authorization: `Bearer ${e.secret}` } })).status).toBe(401);
    expect((await send(e.id, { headers: { authorization: `Bearer ${second}` } })).status).toBe(202);
    expect((await send(e.id, { headers: { authorization: `Bearer ${third}` } })).status).toBe(202);
  });

  it("one endpoint's secret does not open another endpoint", async () => {
    const other = await createEndpoint();
    const before = await runCount();
    expect((await send(other.id, { headers: { authorization: `Bearer ${endpoint.secret}` } })).status).toBe(401);
    expect(await runCount()).toBe(before);
  });
});

describe("code-defined routes", () => {
  it("a route registered at start-up is served under /api/webhooks<path>; another method gets 405 with Allow", async () => {
    const res = await call(app, "POST", "/api/webhooks/ops/ping", { rawBody: "hello", headers: { "content-type": "text/plain" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ pong: true, got: "hello" });
    const wrong = await call(app, "GET", "/api/webhooks/ops/ping");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    expect((await call(app, "POST", "/api/webhooks/ops/other")).status).toBe(404);
  });

  it("registering the same (method, path) twice throws at start-up", () => {
    expect(String(duplicateError)).toMatch(/already registered/);
  });

  it("a code route cannot shadow a tenant endpoint: the whk_ namespace is refused, and tenant endpoints answer first", async () => {
    const endpoint = await createEndpoint();
    const registry = app.api.webhooks;
    expect(() => registry.register({ path: `/${endpoint.id}`, method: "POST", handler: (c) => c.json({ hijacked: true }) })).toThrow();
    const res = await send(endpoint.id, { headers: { authorization: `Bearer ${endpoint.secret}` } });
    expect(res.status).toBe(202);
    expect(res.body.hijacked).toBeUndefined();
  });

  it("no route can be registered once the app has served webhook requests, and no HTTP route creates one", async () => {
    expect(() => app.api.webhooks.register({ path: "/late", method: "POST", handler: (c) => c.json({}) })).toThrow(/start-up/);
    const attempt = await call(app, "POST", "/api/webhooks", { headers: owner.bearer, body: { path: "/late", method: "POST" } });
    expect(attempt.status).toBe(404);
    expect((await call(app, "POST", "/api/webhooks/late")).status).toBe(404);
  });
});
