/**
 * WEFT_RATE_LIMIT_STORE (docs/architecture.md, "Scaling out"): two control-plane instances on one
 * database (two `createControlPlaneApi`, as two web processes would build them) share each API
 * key's budget with the postgres store, and each keep their own with the memory store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresRateLimiter } from "@/lib/api/rate-limit";
import { call, createApiKey, createTestApp, signUp, type TestApp } from "../helpers/api";
import type { TestDatabase } from "../helpers/database";
import { quickstart } from "../helpers/runtime";

/** Alternates GET /api/me between the instances until one answers 429 (at most `max` requests); returns what happened. */
async function spendAcross(instances: TestApp[], headers: Record<string, string>, max: number) {
  const started = Date.now();
  let allowed = 0;
  for (let i = 0; i < max; i++) {
    const res = await call(instances[i % instances.length], "GET", "/api/me", { headers });
    if (res.status === 429) return { allowed, limited: res, elapsedMs: Date.now() - started };
    expect(res.status).toBe(200);
    allowed++;
  }
  return { allowed, limited: null, elapsedMs: Date.now() - started };
}

describe("the postgres store: two instances share one budget", () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await createTestApp({ rateLimitStore: "postgres", rateLimitPerMinute: 60, sessionRateLimitPerMinute: 600 });
    second = await createTestApp({ rateLimitStore: "postgres", rateLimitPerMinute: 60, sessionRateLimitPerMinute: 600, shareDatabaseOf: first });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it("an API key gets 60 requests a minute across both: the 61st is 429 with Retry-After, on either instance", async () => {
    const owner = await signUp(first);
    const key = await createApiKey(first, owner, "agent");
    const { allowed, limited, elapsedMs } = await spendAcross([first, second], key.headers, 200);
    // A token bucket refills one token per second at 60/min: requests that took longer than a
    // second could earn one more each second; at the speed of in-process requests they do not.
    expect(allowed).toBeGreaterThanOrEqual(60);
    expect(allowed).toBeLessThanOrEqual(60 + Math.floor(elapsedMs / 1000));
    expect(limited?.body).toMatchObject({ error: "rate_limited" });
    expect(limited?.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    expect(limited?.headers.get("ratelimit-limit")).toBe("60");
    expect(limited?.headers.get("ratelimit-remaining")).toBe("0");
    // The other instance refuses too: the budget is one.
    const other = await call(allowed % 2 === 0 ? second : first, "GET", "/api/me", { headers: key.headers });
    expect(other.status).toBe(429);
  });
});

describe("the postgres store: signed-in users and inbound webhook endpoints share their budgets across instances too", () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    const options = { rateLimitStore: "postgres", rateLimitPerMinute: 3, sessionRateLimitPerMinute: 6 } as const;
    first = await createTestApp(options);
    second = await createTestApp({ ...options, shareDatabaseOf: first });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it("a session's 6 a minute and an endpoint's 3 a minute are spent across both instances", async () => {
    const owner = await signUp(first); // spends 1 of the session's 6 (GET /api/me)
    const created = await call(second, "POST", "/api/workflows", { headers: owner.bearer, body: { name: "hook", definition: quickstart } });
    expect(created.status).toBe(201);
    const endpoint = await call(first, "POST", `/api/workflows/${created.body.id}/webhooks`, { headers: owner.bearer });
    expect(endpoint.status).toBe(201);
    // 3 of 6 spent; 3 left across both instances.
    expect((await spendAcross([second, first], owner.bearer, 10)).allowed).toBe(3);

    const hook = (app: TestApp) =>
      call(app, "POST", `/api/webhooks/${endpoint.body.id}`, {
        headers: { authorization: `Bearer ${endpoint.body.secret}`, "content-type": "application/json" },
        rawBody: JSON.stringify({ name: "Ada" }),
      });
    const statuses = [await hook(first), await hook(second), await hook(first), await hook(second)].map((r) => r.status);
    expect(statuses).toEqual([202, 202, 202, 429]);
  });
});

describe("two instances on the postgres store, with the clock stood still: exactly 60, then 429", () => {
  let first: TestApp;
  let second: TestApp;
  let now = 1_800_000_000_000;

  beforeAll(async () => {
    // Each instance builds its own limiter on its own pool, as two web processes would; only the clock is injected.
    const rateLimiter = (database: TestDatabase) => createPostgresRateLimiter({ sql: database.sql, perMinute: 60, scope: "api_key", now: () => now });
    first = await createTestApp({ rateLimiter });
    second = await createTestApp({ rateLimiter, shareDatabaseOf: first });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it("60 requests alternating between the instances pass, the 61st is 429 with Retry-After: 1; a second later one more passes", async () => {
    const owner = await signUp(first);
    const key = await createApiKey(first, owner, "agent");
    const { allowed, limited } = await spendAcross([first, second], key.headers, 100);
    expect(allowed).toBe(60);
    expect(limited?.body).toMatchObject({ error: "rate_limited", retryAfterMs: 1_000 });
    expect(limited?.headers.get("retry-after")).toBe("1");
    now += 1_000;
    expect((await call(second, "GET", "/api/me", { headers: key.headers })).status).toBe(200);
    expect((await call(first, "GET", "/api/me", { headers: key.headers })).status).toBe(429);
  });
});

describe("the memory store (the default): each instance has a budget of its own", () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await createTestApp({ rateLimitPerMinute: 60, sessionRateLimitPerMinute: 600 });
    second = await createTestApp({ rateLimitPerMinute: 60, sessionRateLimitPerMinute: 600, shareDatabaseOf: first });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it("the same API key gets 60 a minute on each instance, so about 120 across two", async () => {
    const owner = await signUp(first);
    const key = await createApiKey(first, owner, "agent");
    const { allowed, limited, elapsedMs } = await spendAcross([first, second], key.headers, 300);
    expect(allowed).toBeGreaterThanOrEqual(120);
    expect(allowed).toBeLessThanOrEqual(120 + 2 * Math.floor(elapsedMs / 1000));
    expect(limited?.status).toBe(429);
  });
});
