/**
 * Rate limiting (docs/architecture.md, "Tenancy and auth"): a token bucket per (organization, principal). `RateLimiter` is the
 * interface, with two stores behind it (WEFT_RATE_LIMIT_STORE): in memory (the default, exact
 * for one web instance, each instance has budgets of its own) and in Postgres (every instance on
 * the database shares one budget). Both keep the same buckets: `perMinute` tokens, refilled
 * continuously, so switching stores changes where the budget lives, not what it allows.
 */
import type postgres from "postgres";
import { deleteIdleBuckets, takeToken } from "@/lib/store/rate-limit-buckets";

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

/** Where buckets live: this process, or the shared database. */
export type RateLimitStore = "memory" | "postgres";

/** The decision for a bucket of `capacity` holding `tokens` after a take that did or did not get one. */
function decisionOf(capacity: number, tokens: number, allowed: boolean): RateLimitDecision {
  const refillPerMs = capacity / 60_000;
  return {
    allowed,
    limit: capacity,
    remaining: Math.max(0, Math.floor(tokens)),
    resetMs: Math.ceil((capacity - tokens) / refillPerMs),
    retryAfterMs: allowed ? 0 : Math.ceil((1 - tokens) / refillPerMs),
  };
}

function checkPerMinute(perMinute: number): void {
  if (!Number.isFinite(perMinute) || perMinute < 1) {
    throw new Error(`perMinute must be a number ≥ 1, got ${perMinute}`);
  }
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
  checkPerMinute(options.perMinute);
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
      return decisionOf(capacity, bucket.tokens, allowed);
    },
  };
}

export interface PostgresRateLimiterOptions {
  /** A pool on the database (and schema) every instance uses. */
  sql: postgres.Sql;
  perMinute: number;
  /** Names this limiter's buckets, so limiters sharing the table (API keys, sessions, webhooks) never share one. */
  scope: string;
  /** Errors of the database (logged by the caller); the request is then let through. */
  onError?: (error: unknown) => void;
  /** Ms since the epoch, for tests; default: the database's clock, which every instance shares. */
  now?: () => number;
}

/**
 * Token buckets in Postgres (lib/store/rate-limit-buckets.ts): one upsert per take, so several
 * web instances on one database share each budget. Idle buckets are deleted about once a minute
 * per instance, off the request path. When the database cannot be reached the request is let
 * through (fail open: the limiter protects the service, it must not become its outage) and
 * `onError` hears why. Throws when `perMinute` is below 1.
 */
export function createPostgresRateLimiter(options: PostgresRateLimiterOptions): RateLimiter {
  checkPerMinute(options.perMinute);
  const capacity = options.perMinute;
  let nextCleanup = 0;
  const cleanup = (): void => {
    const t = Date.now();
    if (t < nextCleanup) return;
    nextCleanup = t + 60_000;
    deleteIdleBuckets(options.sql, options.now?.()).catch((error: unknown) => options.onError?.(error));
  };
  return {
    async take(key) {
      cleanup();
      try {
        const { tokens, allowed } = await takeToken(options.sql, { key: `${options.scope}:${key}`, capacity, nowMs: options.now?.() });
        return decisionOf(capacity, tokens, allowed);
      } catch (error) {
        options.onError?.(error);
        return decisionOf(capacity, capacity, true);
      }
    },
  };
}
