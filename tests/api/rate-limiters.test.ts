/**
 * The two rate-limiter stores behind `RateLimiter` (lib/api/rate-limit.ts) keep the same token
 * buckets: one suite runs against the in-memory limiter and the Postgres one, on an injected
 * clock. Then what only the shared store promises: limiters on separate pools (separate web
 * instances) take from one bucket, exactly, even when they race.
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryRateLimiter, createPostgresRateLimiter, type RateLimiter } from "@/lib/api/rate-limit";
import { deleteIdleBuckets } from "@/lib/store/rate-limit-buckets";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

let database: TestDatabase;
const pools: postgres.Sql[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const pool of pools) await pool.end({ timeout: 5 });
  await database?.drop();
});

/** A pool of its own: what one web instance would have. */
function instancePool(): postgres.Sql {
  const pool = postgres(database.url, { max: 4, onnotice: () => {} });
  pools.push(pool);
  return pool;
}

let scopes = 0;
/** A fresh scope per limiter built by a test, so tests never see each other's buckets. */
const freshScope = () => `test${++scopes}`;

interface Clock {
  now: () => number;
  advance(ms: number): void;
}
function clock(start = 1_800_000_000_000): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const stores: { name: string; make: (perMinute: number, clock: Clock) => RateLimiter }[] = [
  { name: "memory", make: (perMinute, c) => createMemoryRateLimiter({ perMinute, now: c.now }) },
  { name: "postgres", make: (perMinute, c) => createPostgresRateLimiter({ sql: database.sql, perMinute, scope: freshScope(), now: c.now }) },
];

describe.each(stores)("the $name limiter", ({ make }) => {
  it("a new bucket gives perMinute tokens at once, then refuses with the time to the next token", async () => {
    const c = clock();
    const limiter = make(60, c);
    const remaining: number[] = [];
    for (let i = 0; i < 60; i++) {
      const decision = await limiter.take("org:key");
      expect(decision.allowed).toBe(true);
      remaining.push(decision.remaining);
    }
    expect(remaining.slice(0, 3)).toEqual([59, 58, 57]);
    expect(remaining.at(-1)).toBe(0);
    const refused = await limiter.take("org:key");
    expect(refused).toMatchObject({ allowed: false, limit: 60, remaining: 0, retryAfterMs: 1_000, resetMs: 60_000 });
  });

  it("tokens refill continuously: one more take per 1/perMinute of a minute, and a full bucket after a minute", async () => {
    const c = clock();
    const limiter = make(6, c);
    for (let i = 0; i < 6; i++) await limiter.take("k");
    expect((await limiter.take("k")).allowed).toBe(false);
    c.advance(5_000);
    const early = await limiter.take("k");
    expect(early).toMatchObject({ allowed: false, retryAfterMs: 5_000 });
    c.advance(5_000);
    expect((await limiter.take("k")).allowed).toBe(true);
    expect((await limiter.take("k")).allowed).toBe(false);
    c.advance(60_000);
    const full = await limiter.take("k");
    expect(full).toMatchObject({ allowed: true, remaining: 5 });
  });

  it("each key has a bucket of its own", async () => {
    const c = clock();
    const limiter = make(2, c);
    await limiter.take("a");
    await limiter.take("a");
    expect((await limiter.take("a")).allowed).toBe(false);
    expect(await limiter.take("b")).toMatchObject({ allowed: true, remaining: 1 });
  });

  it("refuses a budget below 1 per minute", () => {
    expect(() => make(0, clock())).toThrow(/perMinute/);
  });
});

describe("the postgres limiter across instances", () => {
  it("two limiters on separate pools take from one bucket: 60 between them, then 429 for both", async () => {
    const c = clock();
    const scope = freshScope();
    const a = createPostgresRateLimiter({ sql: instancePool(), perMinute: 60, scope, now: c.now });
    const b = createPostgresRateLimiter({ sql: instancePool(), perMinute: 60, scope, now: c.now });
    for (let i = 0; i < 30; i++) {
      expect((await a.take("org:key")).allowed).toBe(true);
      expect((await b.take("org:key")).allowed).toBe(true);
    }
    expect((await a.take("org:key")).allowed).toBe(false);
    expect((await b.take("org:key")).allowed).toBe(false);
    c.advance(1_000);
    expect((await b.take("org:key")).allowed).toBe(true);
    expect((await a.take("org:key")).allowed).toBe(false);
  });

  it("racing takes never grant more than the budget: 150 at once from three pools, exactly 60 allowed", async () => {
    const c = clock();
    const scope = freshScope();
    const limiters = [instancePool(), instancePool(), instancePool()].map((sql) => createPostgresRateLimiter({ sql, perMinute: 60, scope, now: c.now }));
    const decisions = await Promise.all(Array.from({ length: 150 }, (_, i) => limiters[i % 3].take("org:key")));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(60);
    const remaining = decisions.filter((d) => d.allowed).map((d) => d.remaining).sort((x, y) => x - y);
    expect(remaining).toEqual(Array.from({ length: 60 }, (_, i) => i)); // each token handed out once
  });

  it("limiters of different scopes (API keys, sessions, webhooks) never share a bucket", async () => {
    const c = clock();
    const keys = createPostgresRateLimiter({ sql: database.sql, perMinute: 1, scope: freshScope(), now: c.now });
    const sessions = createPostgresRateLimiter({ sql: database.sql, perMinute: 1, scope: freshScope(), now: c.now });
    expect((await keys.take("org:same")).allowed).toBe(true);
    expect((await keys.take("org:same")).allowed).toBe(false);
    expect((await sessions.take("org:same")).allowed).toBe(true);
  });

  it("by default it keeps time by the database's clock, which every instance shares", async () => {
    const scope = freshScope();
    const a = createPostgresRateLimiter({ sql: instancePool(), perMinute: 3, scope });
    const b = createPostgresRateLimiter({ sql: instancePool(), perMinute: 3, scope });
    const allowed = [await a.take("k"), await b.take("k"), await a.take("k"), await b.take("k")].map((d) => d.allowed);
    expect(allowed).toEqual([true, true, true, false]); // 20 s per token: none comes back during the test
  });

  it("buckets idle for a minute are deleted (they are full again, the same as absent)", async () => {
    const c = clock(1_900_000_000_000);
    const scope = freshScope();
    const limiter = createPostgresRateLimiter({ sql: database.sql, perMinute: 5, scope, now: c.now });
    await limiter.take("idle");
    c.advance(30_000);
    await limiter.take("busy");
    const rows = () => database.sql<{ key: string }[]>`SELECT key FROM rate_limit_buckets WHERE key LIKE ${scope + ":%"} ORDER BY key`;
    expect((await rows()).map((r) => r.key)).toEqual([`${scope}:busy`, `${scope}:idle`]);
    expect(await deleteIdleBuckets(database.sql, c.now() + 30_001)).toBeGreaterThanOrEqual(1);
    expect((await rows()).map((r) => r.key)).toEqual([`${scope}:busy`]);
  });

  it("when the database cannot be reached it lets the request through and reports why (fail open)", async () => {
    const dead = postgres("postgres://nobody@127.0.0.1:1/none", { max: 1, connect_timeout: 1, onnotice: () => {} });
    const errors: unknown[] = [];
    const limiter = createPostgresRateLimiter({ sql: dead, perMinute: 5, scope: freshScope(), onError: (error) => errors.push(error) });
    const decision = await limiter.take("k");
    expect(decision.allowed).toBe(true);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    await dead.end({ timeout: 1 });
  });
});
