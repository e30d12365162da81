/**
 * The web process's endpoint cache (docs/runs.md, "Inbound webhooks"): a call to an endpoint served
 * before needs no read of it, and whatever changes after it was cached — the endpoint's methods,
 * secret or response mode, its deletion, its workflow's definition or deletion — is what the next
 * call sees, because the run's INSERT checks the endpoint and its workflow are unchanged and a
 * refusal is only answered from a fresh read. Over HTTP, with a real worker.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RunFenceError, type RunFence, type Runtime } from "@/lib/runtime/types";
import { ENDPOINT_CACHE, InboundEndpointCache } from "@/lib/store/webhook-endpoints";
import { call, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { recordingReads } from "../helpers/recording";
import { quickstart, startTestWorker, testRegistry } from "../helpers/runtime";

/** Runs `dispatch` calls through the API's runtime call first (null: none). */
let beforeDispatch: (() => Promise<void>) | null = null;

let app: TestApp;
let owner: TestUser;
let worker: { stop(): Promise<void> };

beforeAll(async () => {
  app = await createTestApp({
    registry: testRegistry(),
    apiRuntime: (runtime): Runtime => ({
      ...runtime,
      async dispatch(...args) {
        await beforeDispatch?.();
        return runtime.dispatch(...args);
      },
    }),
  });
  owner = await signUp(app);
  worker = await startTestWorker(app);
});
afterEach(() => {
  beforeDispatch = null;
});
afterAll(async () => {
  await worker?.stop();
  await app?.close();
});

async function newWorkflow(definition: unknown = quickstart): Promise<string> {
  const res = await call(app, "POST", "/api/workflows", { headers: owner.bearer, body: { name: "cached hook", definition } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function newEndpoint(workflowId: string): Promise<{ id: string; secret: string; workflowId: string }> {
  const res = await call(app, "POST", `/api/workflows/${workflowId}/webhooks`, { headers: owner.bearer });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, secret: res.body.secret, workflowId };
}

/** Calls the endpoint with `secret` (default its own), a JSON body and any further `headers`. */
function deliver(
  endpoint: { id: string; secret: string },
  options: { method?: string; secret?: string; query?: string; headers?: Record<string, string> } = {},
) {
  return call(app, options.method ?? "POST", `/api/webhooks/${endpoint.id}${options.query ?? ""}`, {
    rawBody: JSON.stringify({ name: "Ada" }),
    headers: { authorization: `Bearer ${options.secret ?? endpoint.secret}`, "content-type": "application/json", ...options.headers },
  });
}

async function runsOf(workflowId: string): Promise<{ id: string; workflow_version: number }[]> {
  return app.database.sql<{ id: string; workflow_version: number }[]>`
    SELECT id, workflow_version FROM runs WHERE organization_id = ${owner.organizationId} AND workflow_id = ${workflowId} ORDER BY created_at, id`;
}

/** Calls the endpoint once so it is cached, and checks that call started a run. */
async function cached(endpoint: { id: string; secret: string; workflowId: string }): Promise<void> {
  const first = await deliver(endpoint);
  expect(first.status, JSON.stringify(first.body)).toBe(202);
  expect(await runsOf(endpoint.workflowId)).toHaveLength(1);
}

describe("after an endpoint was served from the cache", () => {
  it("deleting it: the next call is 404 and starts nothing", async () => {
    const endpoint = await newEndpoint(await newWorkflow());
    await cached(endpoint);
    const deleted = await call(app, "DELETE", `/api/workflows/${endpoint.workflowId}/webhooks/${endpoint.id}`, { headers: owner.bearer });
    expect(deleted.status).toBe(204);
    const res = await deliver(endpoint);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("not_found");
    expect(await runsOf(endpoint.workflowId)).toHaveLength(1);
  });

  it("deleting its workflow: the next call is 404 and starts nothing", async () => {
    const endpoint = await newEndpoint(await newWorkflow());
    await cached(endpoint);
    expect((await call(app, "DELETE", `/api/workflows/${endpoint.workflowId}`, { headers: owner.bearer })).status).toBe(204);
    const res = await deliver(endpoint);
    expect(res.status).toBe(404);
    expect(await runsOf(endpoint.workflowId)).toHaveLength(1);
  });

  it("changing its workflow's definition: the next run pins the new version", async () => {
    const endpoint = await newEndpoint(await newWorkflow());
    await cached(endpoint);
    const renamed = { ...quickstart, blocks: [quickstart.blocks[0], { ...quickstart.blocks[1], params: { name: "{{trg.body.name}} Lovelace" } }] };
    const put = await call(app, "PUT", `/api/workflows/${endpoint.workflowId}/definition`, { headers: owner.bearer, body: { definition: renamed } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const res = await deliver(endpoint, { query: "?wait=20" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.output).toMatchObject({ greet: { message: "Hello, Ada Lovelace!" } });
    expect((await runsOf(endpoint.workflowId)).map((r) => r.workflow_version)).toEqual([1, put.body.version]);
  });

  it("rotating its secret: the new secret is accepted at once, the previous one during its grace period", async () => {
    const endpoint = await newEndpoint(await newWorkflow());
    await cached(endpoint);
    const rotated = await call(app, "POST", `/api/workflows/${endpoint.workflowId}/webhooks/${endpoint.id}/rotate`, { headers: owner.bearer });
    expect(rotated.status).toBe(200);
    expect((await deliver(endpoint, { secret: rotated.body.secret })).status).toBe(202);
    expect((await deliver(endpoint)).status).toBe(202);
    expect(await runsOf(endpoint.workflowId)).toHaveLength(3);
    // The grace period ends (in the database): the previous secret is refused, nothing starts.
    await app.database.sql`UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = ${endpoint.id}`;
    const refused = await deliver(endpoint);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe("invalid_signature");
    expect(await runsOf(endpoint.workflowId)).toHaveLength(3);
  });

  it("changing its methods: a method added is accepted at once, a method removed is 405 and starts nothing", async () => {
    const endpoint = await newEndpoint(await newWorkflow());
    await cached(endpoint);
    const patch = (methods: string[]) =>
      call(app, "PATCH", `/api/workflows/${endpoint.workflowId}/webhooks/${endpoint.id}`, { headers: owner.bearer, body: { methods } });
    expect((await patch(["POST", "PUT"])).status).toBe(200);
    expect((await deliver(endpoint, { method: "PUT" })).status).toBe(202);
    expect((await patch(["PUT"])).status).toBe(200);
    const refused = await deliver(endpoint);
    expect(refused.status).toBe(405);
    expect(refused.headers.get("allow")).toBe("PUT");
    expect(await runsOf(endpoint.workflowId)).toHaveLength(2);
  });

  it("changing its response mode to wait: the next call without ?wait waits for the finished run", async () => {
    const endpoint = await newEndpoint(await newWorkflow());
    await cached(endpoint);
    const patched = await call(app, "PATCH", `/api/workflows/${endpoint.workflowId}/webhooks/${endpoint.id}`, {
      headers: owner.bearer,
      body: { responseMode: "wait", waitSeconds: 20 },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const res = await deliver(endpoint);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: "succeeded", output: { greet: { message: "Hello, Ada!" } } });
  });
});

describe("an endpoint that changes while a call is handled", () => {
  /** Changes the endpoint's row (a new row version, nothing else) before each of the next `times` dispatches; counts the dispatches. */
  function touchBeforeDispatch(endpointId: string, times: number): () => number {
    let dispatches = 0;
    beforeDispatch = async () => {
      dispatches += 1;
      if (dispatches > times) return;
      await app.database.sql`UPDATE webhook_endpoints SET wait_seconds = wait_seconds WHERE id = ${endpointId}`;
    };
    return () => dispatches;
  }

  it("once: the call is decided again on a fresh read and starts exactly one run", async () => {
    const endpoint = await newEndpoint(await newWorkflow());
    await cached(endpoint);
    const dispatches = touchBeforeDispatch(endpoint.id, 1);
    const res = await deliver(endpoint);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(dispatches()).toBe(2);
    expect(await runsOf(endpoint.workflowId)).toHaveLength(2);
  });

  it("every time: 409 endpoint_changed after three attempts (the cached one and two fresh reads), and no run", async () => {
    const endpoint = await newEndpoint(await newWorkflow());
    await cached(endpoint);
    const dispatches = touchBeforeDispatch(endpoint.id, Infinity);
    const res = await deliver(endpoint);
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body.error).toBe("endpoint_changed");
    expect(dispatches()).toBe(3);
    expect(await runsOf(endpoint.workflowId)).toHaveLength(1);
  });

  it("with an Idempotency-Key: a changed endpoint starts no run under the key, the fresh read starts one", async () => {
    const endpoint = await newEndpoint(await newWorkflow());
    await cached(endpoint);
    const dispatches = touchBeforeDispatch(endpoint.id, 1);
    const res = await deliver(endpoint, { headers: { "idempotency-key": "k-1" } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(dispatches()).toBe(2);
    const runs = await runsOf(endpoint.workflowId);
    expect(runs).toHaveLength(2);
    expect(runs[1].id).toBe(res.body.runId);
  });
});

describe("a run's fence", () => {
  it("with an Idempotency-Key, a fence that holds at the check but not at the INSERT stores nothing and throws RunFenceError", async () => {
    const workflowId = await newWorkflow();
    // True the first time it is evaluated (the check), false after (the INSERT): a change in between.
    await app.database.sql`CREATE SEQUENCE IF NOT EXISTS fence_flip`;
    const fence: RunFence = (sql) => sql`nextval('fence_flip') = (SELECT min_value FROM pg_sequences WHERE sequencename = 'fence_flip')`;
    const workflow = { id: workflowId, version: 1, definition: quickstart as never };
    const dispatched = app.runtime.dispatch(owner.organizationId, workflow, { trigger: "webhook", idempotencyKey: "flip-1", fence });
    await expect(dispatched).rejects.toBeInstanceOf(RunFenceError);
    expect(await runsOf(workflowId)).toHaveLength(0);
  });
});

describe("InboundEndpointCache", () => {
  it("reads an endpoint once, then serves it without a read until its time is up; a fresh get reads", async () => {
    const endpoint = await newEndpoint(await newWorkflow());
    const { pool, reads } = recordingReads(app.database.sql);
    const statements = () => reads.length;
    let now = 1_000;
    const cache = new InboundEndpointCache(pool, app.secretsKey, () => now);
    expect((await cache.get(endpoint.id, { fresh: false }))?.cached).toBe(false);
    expect((await cache.get(endpoint.id, { fresh: false }))?.cached).toBe(true);
    expect(statements()).toBe(1);
    expect((await cache.get(endpoint.id, { fresh: true }))?.cached).toBe(false);
    expect(statements()).toBe(2);
    now += ENDPOINT_CACHE.ttlMs;
    expect((await cache.get(endpoint.id, { fresh: false }))?.cached).toBe(false);
    expect(statements()).toBe(3);
  });

  it("drops a cached previous secret before its grace period ends by the database clock", async () => {
    const endpoint = await newEndpoint(await newWorkflow());
    const rotated = await call(app, "POST", `/api/workflows/${endpoint.workflowId}/webhooks/${endpoint.id}/rotate`, { headers: owner.bearer });
    expect(rotated.status).toBe(200);
    await app.database.sql`UPDATE webhook_endpoints SET previous_secret_expires_at = now() + interval '10 seconds' WHERE id = ${endpoint.id}`;
    let now = 0;
    const cache = new InboundEndpointCache(app.database.sql, app.secretsKey, () => now);
    expect((await cache.get(endpoint.id, { fresh: false }))?.endpoint.secrets).toEqual([rotated.body.secret, endpoint.secret]);
    now = 8_000;
    expect((await cache.get(endpoint.id, { fresh: false }))?.endpoint.secrets).toEqual([rotated.body.secret, endpoint.secret]);
    now = 9_500;
    const late = await cache.get(endpoint.id, { fresh: false });
    expect(late?.cached).toBe(true);
    expect(late?.endpoint.secrets).toEqual([rotated.body.secret]);
  });

  it("never caches an unknown endpoint: each get of it reads", async () => {
    const { pool, reads } = recordingReads(app.database.sql);
    const statements = () => reads.length;
    const cache = new InboundEndpointCache(pool, app.secretsKey);
    expect(await cache.get("whk_aaaaaaaaaaaaaaaaaaaa", { fresh: false })).toBeNull();
    expect(await cache.get("whk_aaaaaaaaaaaaaaaaaaaa", { fresh: false })).toBeNull();
    expect(statements()).toBe(2);
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });

  it("holds at most ENDPOINT_CACHE.maxEntries endpoints and maxBytes of definitions, dropping the oldest first", async () => {
    const bounds = { ...ENDPOINT_CACHE };
    try {
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await newEndpoint(await newWorkflow())).id);
      const { pool, reads } = recordingReads(app.database.sql);
    const statements = () => reads.length;
      const cache = new InboundEndpointCache(pool, app.secretsKey);
      ENDPOINT_CACHE.maxEntries = 2;
      for (const id of ids) await cache.get(id, { fresh: false });
      // The three definitions are alike: each is as long as the one held alone at the end.
      const bytes = cache.size.bytes / 2;
      expect(bytes).toBeGreaterThan(0);
      expect(cache.size).toEqual({ entries: 2, bytes: 2 * bytes });
      // The oldest went: reading it again is a read, the newest is still held.
      await cache.get(ids[2], { fresh: false });
      expect(statements()).toBe(3);
      await cache.get(ids[0], { fresh: false });
      expect(statements()).toBe(4);
      ENDPOINT_CACHE.maxEntries = bounds.maxEntries;
      ENDPOINT_CACHE.maxBytes = bytes;
      await cache.get(ids[1], { fresh: true });
      expect(cache.size).toEqual({ entries: 1, bytes });
      // A definition over the per-definition bound is served, never held.
      ENDPOINT_CACHE.maxBytes = bounds.maxBytes;
      ENDPOINT_CACHE.maxDefinitionBytes = bytes - 1;
      const before = statements();
      expect((await cache.get(ids[2], { fresh: true }))?.cached).toBe(false);
      expect((await cache.get(ids[2], { fresh: false }))?.cached).toBe(false);
      expect(statements()).toBe(before + 2);
    } finally {
      Object.assign(ENDPOINT_CACHE, bounds);
    }
  });
});
