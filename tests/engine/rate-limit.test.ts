import { describe, expect, it } from "vitest";
import { createMemoryRateLimiter } from "@/lib/api/rate-limit";

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe("in-memory token bucket", () => {
  it("a full bucket allows exactly perMinute requests at once, then refuses with the wait for one token", async () => {
    const clock = manualClock();
    const limiter = createMemoryRateLimiter({ perMinute: 6, now: clock.now });
    const remaining: number[] = [];
    for (let i = 0; i < 6; i++) {
      const d = await limiter.take("org:a");
      expect(d.allowed).toBe(true);
      expect(d.retryAfterMs).toBe(0);
      remaining.push(d.remaining);
    }
    expect(remaining).toEqual([5, 4, 3, 2, 1, 0]);
    const refused = await limiter.take("org:a");
    expect(refused).toMatchObject({ allowed: false, limit: 6, remaining: 0 });
    // 6/min = one token every 10 s.
    expect(refused.retryAfterMs).toBe(10_000);
    expect(refused.resetMs).toBe(60_000);
  });

  it("refills continuously: a token comes back after 60000/perMinute ms, not before", async () => {
    const clock = manualClock();
    const limiter = createMemoryRateLimiter({ perMinute: 6, now: clock.now });
    for (let i = 0; i < 6; i++) await limiter.take("k");
    clock.advance(9_999);
    const early = await limiter.take("k");
    expect(early.allowed).toBe(false);
    expect(early.retryAfterMs).toBe(1);
    clock.advance(1);
    expect((await limiter.take("k")).allowed).toBe(true);
    expect((await limiter.take("k")).allowed).toBe(false);
  });

  it("a refused request does not consume a token", async () => {
    const clock = manualClock();
    const limiter = createMemoryRateLimiter({ perMinute: 2, now: clock.now });
    await limiter.take("k");
    await limiter.take("k");
    for (let i = 0; i < 50; i++) expect((await limiter.take("k")).allowed).toBe(false);
    clock.advance(30_000);
    expect((await limiter.take("k")).allowed).toBe(true);
  });

  it("never holds more than perMinute tokens, however long it idles", async () => {
    const clock = manualClock();
    const limiter = createMemoryRateLimiter({ perMinute: 3, now: clock.now });
    await limiter.take("k");
    clock.advance(24 * 3_600_000);
    const allowed = [];
    for (let i = 0; i < 5; i++) allowed.push((await limiter.take("k")).allowed);
    expect(allowed).toEqual([true, true, true, false, false]);
  });

  it("keys have separate buckets", async () => {
    const clock = manualClock();
    const limiter = createMemoryRateLimiter({ perMinute: 1, now: clock.now });
    expect((await limiter.take("org1:api_key:a")).allowed).toBe(true);
    expect((await limiter.take("org1:api_key:a")).allowed).toBe(false);
    expect((await limiter.take("org1:api_key:b")).allowed).toBe(true);
    expect((await limiter.take("org2:api_key:a")).allowed).toBe(true);
  });

  it("dropping idle full buckets (the memory sweep) does not hand out extra tokens", async () => {
    const clock = manualClock();
    const limiter = createMemoryRateLimiter({ perMinute: 2, now: clock.now });
    await limiter.take("busy");
    await limiter.take("busy");
    await limiter.take("idle");
    clock.advance(61_000); // both refilled; the next take sweeps
    await limiter.take("other");
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await limiter.take("busy")).allowed);
    expect(results).toEqual([true, true, false]);
  });

  it("rejects a limit below one request per minute", () => {
    expect(() => createMemoryRateLimiter({ perMinute: 0 })).toThrow(/perMinute/);
    expect(() => createMemoryRateLimiter({ perMinute: Number.NaN })).toThrow(/perMinute/);
  });
});
