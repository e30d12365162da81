/**
 * Pure timing rules of the runtime: per-block retry backoff and the wait heartbeat.
 */
import type { RetryPolicy } from "@/lib/engine/model";

/** The backoff used when a block sets `retry.maxAttempts` without `retry.backoff`. */
export const DEFAULT_BACKOFF = { initialMs: 1_000, factor: 2, maxMs: 60_000 } as const;

/** How many attempts a block gets: `retry.maxAttempts`, else 1 (no retry). */
export function maxAttempts(retry: RetryPolicy | undefined): number {
  return retry ? Math.max(1, retry.maxAttempts) : 1;
}

/** Milliseconds to wait before attempt `attempt` (2, 3, …): initialMs × factor^(attempt−2), capped at maxMs. */
export function retryDelayMs(retry: RetryPolicy | undefined, attempt: number): number {
  if (attempt <= 1) return 0;
  const backoff = retry?.backoff ?? DEFAULT_BACKOFF;
  const delay = backoff.initialMs * backoff.factor ** (attempt - 2);
  return Math.max(0, Math.min(Number.isFinite(delay) ? delay : backoff.maxMs, backoff.maxMs));
}

const FIVE_MINUTES = 5 * 60_000;
/** A wait with no timeout is checked as if it had one of a year (openworkflow's own default). */
export const NO_TIMEOUT_HORIZON_MS = 365 * 24 * 3_600_000;

/**
 * How long one `waitForSignal` of an event wait (wait_for_event) may park before the run re-checks the events
 * table on its own: max(5 min, timeout / 100). It only matters when a wake-up signal was lost
 * (a sender or worker crashed mid-delivery), and it keeps a wait to ~200 durable steps at most.
 */
export function eventHeartbeatMs(timeoutMs: number | null): number {
  return Math.max(FIVE_MINUTES, Math.floor((timeoutMs ?? NO_TIMEOUT_HORIZON_MS) / 100));
}

const ONE_DAY = 24 * 3_600_000;

/**
 * How long one `waitForSignal` of a children wait (call_workflow) may park before the block
 * re-reads its children on its own: a quarter of the time it has waited so far, from 5 minutes to
 * a day. A finished child signals the block, and the children watch re-sends a signal that was
 * lost (lib/runtime/children-watch.ts), so this only matters when both failed; growing it keeps a
 * wait of any length to a few dozen rounds (each costs two of the run's 1,000 durable steps).
 */
export function childrenHeartbeatMs(waitedMs: number): number {
  return Math.min(ONE_DAY, Math.max(FIVE_MINUTES, Math.floor(waitedMs / 4)));
}
