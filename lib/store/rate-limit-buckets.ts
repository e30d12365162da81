/**
 * Token buckets in Postgres (`rate_limit_buckets`, an UNLOGGED table), for the control plane's
 * shared rate limiter (lib/api/rate-limit.ts): every web instance takes from the same rows, so
 * they share one budget. A take is one upsert, one round trip, and the row lock it holds lasts
 * only that statement. Buckets refill continuously, exactly as the in-memory limiter's do.
 */
import type postgres from "postgres";

/** Any bucket is full again after a minute idle (it refills `capacity` per minute), so older rows can go. */
export const BUCKET_IDLE_MS = 60_000;

/** The clock, in ms since the epoch: the injected one when given, else the database's (shared by every instance). */
function clock(sql: postgres.Sql, nowMs: number | undefined) {
  return nowMs === undefined ? sql`(extract(epoch from clock_timestamp()) * 1000)::float8` : sql`${nowMs}::float8`;
}

/**
 * Takes one token from `key`'s bucket of `capacity` tokens refilled at `capacity` per minute, if
 * it holds one; a bucket seen for the first time starts full. Returns the tokens left and
 * whether the take got one.
 */
export async function takeToken(
  sql: postgres.Sql,
  take: { key: string; capacity: number; nowMs?: number },
): Promise<{ tokens: number; allowed: boolean }> {
  const capacity = sql`${take.capacity}::float8`;
  const perMs = sql`${take.capacity / 60_000}::float8`;
  // The bucket's level now: what it held, plus the refill since, at most full.
  const level = sql`least(${capacity}, b.tokens + greatest(0, excluded.updated_ms - b.updated_ms) * ${perMs})`;
  const [row] = await sql<{ tokens: number; allowed: boolean }[]>`
    INSERT INTO rate_limit_buckets AS b (key, tokens, updated_ms, allowed)
    VALUES (${take.key}, ${capacity} - 1, ${clock(sql, take.nowMs)}, true)
    ON CONFLICT (key) DO UPDATE SET
      tokens = CASE WHEN ${level} >= 1 THEN ${level} - 1 ELSE ${level} END,
      allowed = ${level} >= 1,
      updated_ms = greatest(b.updated_ms, excluded.updated_ms)
    RETURNING tokens, allowed`;
  return row;
}

/** Deletes buckets idle for a minute (full again, so the same as absent); returns how many. */
export async function deleteIdleBuckets(sql: postgres.Sql, nowMs?: number): Promise<number> {
  const deleted = await sql`DELETE FROM rate_limit_buckets WHERE updated_ms < ${clock(sql, nowMs)} - ${BUCKET_IDLE_MS}`;
  return deleted.count;
}
