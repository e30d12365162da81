/**
 * Rate limiting (docs/architecture.md, "Tenancy and auth"): a token bucket per (organization, principal). `RateLimiter` is the
 * interface, so a Postgres- or Redis-backed limiter can replace the in-memory one when several
 * web instances share the load; the in-memory one is exact for a single instance.
 */

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
  /** When refused: milliseconds until one token is available. */
  retryAfterMs: number;
}

export interface RateLimiter {
  /** Takes one token from `key`'s bucket if it has one. */
  take(key: string): Promise<RateLimitDecision>;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * In-memory token buckets: `perMinute` tokens, refilled continuously. Idle full buckets are
 * dropped so memory stays bounded by the number of recently active principals. `now` (ms, monotonic)
 * is injectable for tests. Throws when `perMinute` is below 1.
 */
export function createMemoryRateLimiter(options: { perMinute: number; now?: () => number }): RateLimiter {
  if (!Number.isFinite(options.perMinute) || options.perMinute < 1) {
    throw new Error(`perMinute must be a number ≥ 1, got ${options.perMinute}`);
  }
  const capacity = options.perMinute;
  const refillPerMs = capacity / 60_000;
  const now = options.now ?? (() => performance.now());
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();

  const sweep = (t: number): void => {
    if (t - lastSweep < 60_000) return;
    lastSweep = t;
    for (const [key, bucket] of buckets) {
      if (bucket.tokens + (t - bucket.updatedAt) * refillPerMs >= capacity) buckets.delete(key);
    }
  };

  return {
    async take(key) {
      const t = now();
      sweep(t);
      const bucket = buckets.get(key) ?? { tokens: capacity, updatedAt: t };
      bucket.tokens = Math.min(capacity, bucket.tokens + (t - bucket.updatedAt) * refillPerMs);
      bucket.updatedAt = t;
      buckets.set(key, bucket);
      const allowed = bucket.tokens >= 1;
      if (allowed) bucket.tokens -= 1;
      return {
        allowed,
        limit: capacity,
        remaining: Math.floor(bucket.tokens),
        resetMs: Math.ceil((capacity - bucket.tokens) / refillPerMs),
        retryAfterMs: allowed ? 0 : Math.ceil((1 - bucket.tokens) / refillPerMs),
      };
    },
  };
}
